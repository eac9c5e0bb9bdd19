// Relink moves (surrogate_relink.hpp) and the surrogate proposing them every N-th time.
#include <gtest/gtest.h>

#include <algorithm>

#include "search/surrogate.hpp"
#include "search/surrogate_relink.hpp"
#include "support/int_values.hpp"

using namespace tuna;
using tuna::testing::ints;

namespace {

// pnpoly's shape: a method of three values (families), a block size and a tile size of five
// values each (not families: more than 4 values).
Space method_space(std::vector<Constraint> constraints = {}) {
  return Space({Parameter::list("M", ints({0, 1, 2}), 0),
                Parameter::list("B", ints({32, 64, 128, 256, 544}), 32),
                Parameter::list("T", ints({1, 2, 3, 4, 5}), 1)},
               std::move(constraints));
}

Config cfg(int m, int b, int t) { return Config({Value(m), Value(b), Value(t)}); }

Result ok(const Space& space, Config c, double ms) {
  Result r;
  r.key = space.key(c);
  r.config = std::move(c);
  r.median_ms = ms;
  r.times_ms = {ms};
  return r;
}

// What a search knows after measuring `results`.
search::History history_of(const Space& space, const std::vector<Result>& results) {
  search::History history(space);
  for (const Result& r : results) history.claim(r.key);
  history.record(results);
  return history;
}

// The best config (M=2), the best of family M=0 3 % slower with two other settings unlike the
// best's, family M=1 three times slower.
std::vector<Result> pnpoly_like(const Space& space) {
  return {ok(space, cfg(2, 64, 3), 10.0), ok(space, cfg(0, 544, 5), 10.3),
          ok(space, cfg(0, 64, 1), 20.0), ok(space, cfg(1, 32, 1), 30.0)};
}

std::vector<std::string> keys_of(const Space& space, const std::vector<Config>& configs) {
  std::vector<std::string> out;
  for (const Config& c : configs) out.push_back(space.key(c));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(RelinkMoves, MoveAnotherFamilysBestOneParameterTowardTheBest) {
  Space space = method_space();
  search::History history = history_of(space, pnpoly_like(space));
  // Family M=0's best (544, 5) takes the best's B (64) or the best's T (3); M=1 is beyond
  // x1.25 of the best and gives nothing.
  EXPECT_EQ(keys_of(space, search::relink_moves(space, history, {})),
            keys_of(space, {cfg(0, 64, 5), cfg(0, 544, 3)}));
}

TEST(RelinkMoves, FamiliesFartherBehindCountWithALargerRatio) {
  Space space = method_space();
  search::History history = history_of(space, pnpoly_like(space));
  search::RelinkOptions wide;
  wide.max_ratio = 4;
  EXPECT_EQ(keys_of(space, search::relink_moves(space, history, wide)),
            keys_of(space, {cfg(0, 64, 5), cfg(0, 544, 3), cfg(1, 64, 1), cfg(1, 32, 3)}));
}

TEST(RelinkMoves, LeaveOutWhatIsClaimedAndWhatBreaksAConstraint) {
  Space space = method_space({Constraint{Expr::parse("B * T <= 1000"), "test"}});
  search::History history =
      history_of(space, {ok(space, cfg(2, 64, 3), 10.0), ok(space, cfg(0, 544, 1), 10.3)});
  // (0, 544, 3) would take 544 * 3 = 1632 > 1000: only (0, 64, 1) is left.
  EXPECT_EQ(keys_of(space, search::relink_moves(space, history, {})),
            keys_of(space, {cfg(0, 64, 1)}));
  history.claim(space.key(cfg(0, 64, 1)));  // proposed, still being measured
  EXPECT_TRUE(search::relink_moves(space, history, {}).empty());
}

TEST(RelinkMoves, NothingWithoutACorrectResultOrWithoutOtherFamilies) {
  Space space = method_space();
  search::History empty(space);
  EXPECT_TRUE(search::relink_moves(space, empty, {}).empty());
  Result r = ok(space, cfg(2, 64, 3), 0);
  r.status = Status::RuntimeError;
  EXPECT_TRUE(search::relink_moves(space, history_of(space, {r}), {}).empty());
  // Family members that differ from the best only in the family's own parameter: no move.
  search::History same =
      history_of(space, {ok(space, cfg(2, 64, 3), 10.0), ok(space, cfg(0, 64, 3), 10.5)});
  EXPECT_TRUE(search::relink_moves(space, same, {}).empty());
}

TEST(SurrogateRelink, EveryNthProposalIsARelinkMove) {
  Space space = method_space();
  search::SurrogateOptions options;
  options.seed = 3;
  options.initial_samples = 4;
  options.relink_every = 2;
  search::SurrogateSearch search(space, options);
  search.observe(pnpoly_like(space));
  // The 2nd proposal after the initial design is one of the two relink moves.
  std::vector<Config> first = search.propose(1), second = search.propose(1);
  ASSERT_EQ(second.size(), 1u);
  const std::vector<std::string> moves = keys_of(space, {cfg(0, 64, 5), cfg(0, 544, 3)});
  EXPECT_TRUE(std::find(moves.begin(), moves.end(), space.key(second[0])) != moves.end())
      << space.key(second[0]);
  // Told nothing new, the 4th is the other move (the first is claimed).
  search.propose(1);
  std::vector<Config> fourth = search.propose(1);
  ASSERT_EQ(fourth.size(), 1u);
  EXPECT_TRUE(std::find(moves.begin(), moves.end(), space.key(fourth[0])) != moves.end())
      << space.key(fourth[0]);
  EXPECT_NE(space.key(fourth[0]), space.key(second[0]));
}
