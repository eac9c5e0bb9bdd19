// The challenge round (feedback_challenger.hpp): which family the model is asked to tune, and
// the refinement prompt that asks for it.
#include <gtest/gtest.h>

#include "llm/feedback_challenger.hpp"
#include "llm/prompting.hpp"
#include "support/int_values.hpp"
#include "support/measured_result.hpp"
#include "tuna/space.hpp"

namespace tuna::llm {
namespace {

using testing::ints;

// pnpoly's shape: a method of three values, a switch, and sizes of more than 3 values.
Space make_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("METHOD", ints({0, 1, 2}), 0));
  p.push_back(Parameter::list("SWITCH", ints({0, 1}), 0));
  p.push_back(Parameter::list("TILE", ints({1, 2, 4, 8}), 1));
  p.push_back(Parameter::list("BLOCK", ints({32, 64, 128, 256, 544}), 32));
  return Space(std::move(p), {});
}

class LlmChallenger : public ::testing::Test {
 protected:
  void ok(std::string_view sparse, double ms) {
    results.push_back(testing::measured_ok(space, sparse, ms));
  }
  FeedbackInputs inputs() const { return FeedbackInputs{space, base, results}; }
  // The refinement prompt of round 2, a challenge round when `challenge` (with the family
  // find_challenger picks, as the session passes it), else an ordinary one.
  std::string prompt(bool challenge) const {
    const std::optional<Challenger> c = challenge ? find_challenger(inputs()) : std::nullopt;
    return build_refinement_prompt(
        {space, base, results, 2, 5, 0, nullptr, nullptr, c ? &*c : nullptr});
  }
  Space space = make_space();
  Config base = space.default_config();
  std::vector<Result> results;
};

TEST_F(LlmChallenger, PicksTheLeastExploredFamilyWithinTheRatio) {
  // The best: METHOD 2. METHOD 0 trails by 3 % in 1 config (with other TILE and BLOCK);
  // SWITCH 1 trails by 2 % in 3 configs; METHOD 1 trails by x2 (beyond x1.5).
  ok("METHOD=2,TILE=4,BLOCK=64", 10.0);
  ok("METHOD=2,TILE=2,BLOCK=64", 10.5);
  ok("METHOD=0,TILE=8,BLOCK=544", 10.3);
  ok("METHOD=2,SWITCH=1,TILE=2,BLOCK=128", 10.2);
  ok("METHOD=2,SWITCH=1,TILE=1,BLOCK=128", 12.0);
  ok("METHOD=2,SWITCH=1,TILE=1,BLOCK=32", 13.0);
  ok("METHOD=1,TILE=4,BLOCK=32", 20.0);
  std::optional<Challenger> c = find_challenger(inputs());
  ASSERT_TRUE(c);
  EXPECT_EQ(space.params()[c->param].name, "METHOD");
  EXPECT_EQ(c->value, Value(0));
  EXPECT_EQ(c->measured, 1u);
  EXPECT_NEAR(c->ratio, 1.03, 1e-9);
  EXPECT_EQ(c->differs, (std::vector<std::size_t>{2, 3}));  // TILE and BLOCK
}

TEST_F(LlmChallenger, NoneWhenEveryOtherFamilyIsFarBehind) {
  ok("METHOD=2,TILE=4,BLOCK=64", 10.0);
  ok("METHOD=0,TILE=8,BLOCK=544", 21.0);   // beyond x2, although it is only 1 config
  ok("METHOD=2,TILE=8,BLOCK=64", 10.4);     // TILE has 4 values: not a family
  for (const char* block : {"32", "128", "256", "544", "64"})  // SWITCH 1: 6 configs, all
    ok(std::string("METHOD=1,SWITCH=1,BLOCK=") + block, 16.0);  // beyond x1.5
  ok("METHOD=1,SWITCH=1,TILE=2", 16.0);
  std::optional<Challenger> c = find_challenger(inputs());
  EXPECT_FALSE(c) << space.params()[c->param].name;
  results.clear();
  EXPECT_FALSE(find_challenger(inputs()));  // nothing measured
}

TEST_F(LlmChallenger, AFamilyOfFewConfigsCountsUpToTwiceTheBest) {
  // SWITCH 1: 2 configs, the best at x1.8 (counts: few configs); METHOD 0: 6 configs, the best
  // at x1.6 (does not); METHOD 1 holds the best.
  ok("METHOD=1,TILE=4,BLOCK=64", 10.0);
  ok("METHOD=1,SWITCH=1,TILE=2,BLOCK=128", 18.0);
  ok("METHOD=1,SWITCH=1,TILE=1,BLOCK=128", 25.0);
  for (const char* block : {"32", "64", "128", "256", "544"})
    ok(std::string("METHOD=0,TILE=8,BLOCK=") + block, 16.0 + std::stod(block) / 1000);
  ok("METHOD=0,TILE=2", 19.0);
  std::optional<Challenger> c = find_challenger(inputs());
  ASSERT_TRUE(c);
  EXPECT_EQ(space.params()[c->param].name, "SWITCH");
  EXPECT_EQ(c->measured, 2u);
  EXPECT_NEAR(c->ratio, 1.8, 1e-9);
}

TEST_F(LlmChallenger, AFamilyKnownOnlyByTheOneStepMoveFromTheBestIsChallengedToo) {
  // SWITCH 1 was measured only as the best config with SWITCH flipped: every other setting is
  // the best's. The prompt says so and starts the family from anchor 1.
  ok("METHOD=2,TILE=4,BLOCK=64", 10.0);
  ok("METHOD=2,SWITCH=1,TILE=4,BLOCK=64", 11.6);
  ok("METHOD=2,TILE=2,BLOCK=64", 10.5);
  ok("METHOD=0,TILE=2,BLOCK=64", 10.9);
  ok("METHOD=0,TILE=1,BLOCK=32", 12.0);
  std::optional<Challenger> c = find_challenger(inputs());
  ASSERT_TRUE(c);
  EXPECT_EQ(space.params()[c->param].name, "SWITCH");
  EXPECT_TRUE(c->differs.empty());
  const std::string challenge = prompt(true);
  EXPECT_NE(challenge.find("Its best is anchor 1 with only that setting changed"),
            std::string::npos)
      << challenge;
  EXPECT_NE(challenge.find("anchor 1 with SWITCH = 1 is the natural starting point"),
            std::string::npos)
      << challenge;
}

TEST_F(LlmChallenger, TheChallengeRoundAsksForTheFamilyInsteadOfTheAnchors) {
  ok("METHOD=2,TILE=4,BLOCK=64", 10.0);
  ok("METHOD=0,TILE=8,BLOCK=544", 10.3);
  ok("METHOD=2,TILE=2,BLOCK=64", 10.5);
  const std::string normal = prompt(false);
  EXPECT_NE(normal.find("around the anchors above"), std::string::npos);
  EXPECT_EQ(normal.find("challenge round"), std::string::npos);
  const std::string challenge = prompt(true);
  EXPECT_NE(challenge.find("This round is a challenge round"), std::string::npos) << challenge;
  EXPECT_NE(challenge.find("all with METHOD = 0"), std::string::npos) << challenge;
  EXPECT_NE(challenge.find("TILE 8 (anchor 1: 4); BLOCK 544 (anchor 1: 64)"), std::string::npos)
      << challenge;
  EXPECT_NE(challenge.find("only 1 of the 3 correct configs measured have METHOD = 0"),
            std::string::npos)
      << challenge;
  EXPECT_EQ(challenge.find("around the anchors above"), std::string::npos);
  // The measurements are all there as in any round.
  EXPECT_NE(challenge.find("Configs that ran, fastest first"), std::string::npos);
}

TEST_F(LlmChallenger, WithoutAChallengerTheChallengeRoundIsAnOrdinaryRound) {
  ok("METHOD=2,TILE=4,BLOCK=64", 10.0);
  ok("METHOD=2,TILE=2,BLOCK=64", 10.5);
  EXPECT_EQ(prompt(true), prompt(false));
}

}  // namespace
}  // namespace tuna::llm
