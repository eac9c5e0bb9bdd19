// Exhaustive and random search through the ask/tell interface.
#include <gtest/gtest.h>

#include <set>

#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

using namespace tuna;

namespace {

// 4 x 4 x 2 = 32 grid points; "A * B <= 16" leaves 24 of them... counted in the test.
Space small_space() {
  std::vector<Parameter> params = {
      Parameter::list("A", {1, 2, 4, 8}, 1),
      Parameter::list("B", {1, 2, 4, 8}, 1),
      Parameter::boolean("F", false),
  };
  return Space(params, {{Expr::parse("A * B <= 16"), "test"}});
}

std::size_t count_valid(const Space& space) {
  std::size_t n = 0;
  space.enumerate([&](const Config&) {
    ++n;
    return true;
  });
  return n;
}

std::vector<std::string> drain(Strategy& s, const Space& space, std::size_t batch) {
  std::vector<std::string> keys;
  while (true) {
    auto configs = s.propose(batch);
    if (configs.empty()) break;
    EXPECT_LE(configs.size(), batch);
    for (const Config& c : configs) {
      EXPECT_TRUE(space.is_valid(c)) << space.key(c);
      keys.push_back(space.key(c));
    }
  }
  return keys;
}

}  // namespace

TEST(Exhaustive, ProposesEveryValidConfigOnce) {
  Space space = small_space();
  auto s = make_strategy({"exhaustive", 0}, space);
  auto keys = drain(*s, space, 3);
  EXPECT_EQ(keys.size(), count_valid(space));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
}

TEST(Exhaustive, SkipsConfigsAlreadyObserved) {
  Space space = small_space();
  auto s = make_strategy({"exhaustive", 0}, space);
  Result seen;
  seen.config = space.default_config();
  seen.key = space.key(seen.config);
  s->observe({seen});
  auto keys = drain(*s, space, 5);
  EXPECT_EQ(keys.size(), count_valid(space) - 1);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), seen.key), 0);
}

TEST(RandomSearch, CoversTheSpaceWithoutRepeatsThenStops) {
  Space space = small_space();
  auto s = make_strategy({"random", 7}, space);
  auto keys = drain(*s, space, 4);
  EXPECT_EQ(keys.size(), count_valid(space));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
}

TEST(RandomSearch, SameSeedSameSequenceOtherSeedOtherSequence) {
  Space space = small_space();
  auto a = make_strategy({"random", 42}, space);
  auto b = make_strategy({"random", 42}, space);
  auto c = make_strategy({"random", 43}, space);
  auto ka = drain(*a, space, 5), kb = drain(*b, space, 5), kc = drain(*c, space, 5);
  EXPECT_EQ(ka, kb);
  EXPECT_NE(ka, kc);
}

TEST(RandomSearch, LargeSpacesAreSampledNotEnumerated) {
  // 20 parameters of 10 values: 1e20 grid points, far too many to enumerate.
  std::vector<Parameter> params;
  for (int i = 0; i < 20; ++i) {
    params.push_back(Parameter::int_range("P" + std::to_string(i), 0, 9, 1, 0));
  }
  Space space(params, {{Expr::parse("P0 + P1 < 10"), "test"}});
  auto s = make_strategy({"random", 1}, space);
  auto configs = s->propose(50);
  ASSERT_EQ(configs.size(), 50u);
  std::set<std::string> keys;
  for (const Config& c : configs) {
    EXPECT_TRUE(space.is_valid(c));
    keys.insert(space.key(c));
  }
  EXPECT_EQ(keys.size(), 50u);
}

TEST(Strategies, AutoIsKnownAndUnknownNamesAreClearErrors) {
  Space space = small_space();
  EXPECT_NO_THROW(make_strategy({"auto", 0}, space));
  try {
    make_strategy({"simulated-anealing", 0}, space);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("simulated-anealing"), std::string::npos);
    EXPECT_NE(msg.find("exhaustive"), std::string::npos);  // lists what is known
  }
}
