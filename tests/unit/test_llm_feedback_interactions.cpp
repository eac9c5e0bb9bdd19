// The refinement prompt's tables of best times per pair of parameter values
// (summarize_interactions): shown for pairs whose effects depend on each other, with the pairs of
// values never measured marked, and left out where the parameters act separately.
#include <gtest/gtest.h>

#include "llm/feedback.hpp"
#include "llm/prompting.hpp"
#include "tuna/space.hpp"
#include "support/int_values.hpp"
#include "support/measured_result.hpp"

namespace tuna::llm {
namespace {

using testing::ints;

// TILE x METHOD interact (METHOD 0 wins only at TILE 8); BLOCK acts on its own.
Space make_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("TILE", ints({1, 2, 4, 8}), 1));
  p.push_back(Parameter::list("METHOD", ints({0, 2}), 0));
  p.push_back(Parameter::list("BLOCK", ints({32, 64}), 32));
  return Space(std::move(p), {});
}

class LlmInteractions : public ::testing::Test {
 protected:
  void ok(std::string_view sparse, double ms) {
    results.push_back(testing::measured_ok(space, sparse, ms));
  }
  void failed(std::string_view sparse) {
    results.push_back(testing::measured_failure(space, sparse));
  }
  std::string tables(std::size_t max_tables = 2) const {
    return summarize_interactions(FeedbackInputs{space, base, results}, max_tables);
  }
  // Times of an additive model: TILE and BLOCK each scale the time on their own.
  static double additive(int tile, int method, int block) {
    return 10.0 / tile * (method == 2 ? 0.8 : 1.0) * (block == 64 ? 0.9 : 1.0);
  }
  void measure_additive() {
    for (int tile : {1, 2, 4, 8})
      for (int method : {0, 2})
        for (int block : {32, 64})
          if ((tile + method + block / 32) % 2 == 0)  // half the space, every value covered
            ok(fmt_key(tile, method, block), additive(tile, method, block));
  }
  // METHOD 2 is faster up to TILE 2, METHOD 0 at TILE 8 is the fastest of all and METHOD 2 is
  // slower there; at TILE 4 only a failure ran with METHOD 2.
  void measure_interacting() {
    ok("TILE=1,METHOD=0", 10.0);
    ok("TILE=1,METHOD=2", 8.0);
    ok("TILE=2,METHOD=0", 6.0);
    ok("TILE=2,METHOD=2", 4.8);
    ok("TILE=4,METHOD=0", 5.0);
    failed("TILE=4,METHOD=2");
    ok("TILE=8,METHOD=0", 2.0);
    ok("TILE=8,METHOD=2", 3.2);
    ok("TILE=1,METHOD=0,BLOCK=64", 10.5);
  }
  static std::string fmt_key(int tile, int method, int block) {
    return "TILE=" + std::to_string(tile) + ",METHOD=" + std::to_string(method) +
           ",BLOCK=" + std::to_string(block);
  }

  Space space = make_space();
  Config base = space.default_config();
  std::vector<Result> results;
};

TEST_F(LlmInteractions, APairWhoseBestValueDependsOnTheOtherIsTabulatedWithItsGapsMarked) {
  measure_interacting();
  const std::string s = tables(1);
  ASSERT_NE(s, "");
  EXPECT_NE(s.find("- TILE and METHOD:\n"), std::string::npos) << s;
  // Rows are TILE's values (the parameter of more values), columns METHOD's; cells relative to
  // the best config (2.0 ms).
  EXPECT_NE(s.find("TILE \\ METHOD  0      2\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  1              x5.00  x4.00\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  8              x1.00  x1.60\n"), std::string::npos) << s;
  // Only a failure ran at TILE 4 with METHOD 2.
  EXPECT_NE(s.find("  4              x2.50  failed\n"), std::string::npos) << s;
  // One table was asked for: the strongest pair only.
  EXPECT_EQ(s.find("BLOCK"), std::string::npos) << s;
}

TEST_F(LlmInteractions, NeverMeasuredPairsAreDashes) {
  ok("TILE=1,METHOD=0", 10.0);
  ok("TILE=1,METHOD=2", 8.0);
  ok("TILE=2,METHOD=0", 6.0);
  ok("TILE=2,METHOD=2", 4.8);
  ok("TILE=8,METHOD=0", 2.0);
  ok("TILE=8,METHOD=2", 3.2);
  ok("TILE=1,METHOD=0,BLOCK=64", 10.5);
  ok("TILE=2,METHOD=0,BLOCK=64", 6.3);
  const std::string s = tables(1);
  EXPECT_NE(s.find("  4              -      -\n"), std::string::npos) << s;
}

TEST_F(LlmInteractions, ParametersThatActSeparatelyGetNoTable) {
  measure_additive();
  ASSERT_GE(results.size(), kInteractionMinResults);
  EXPECT_EQ(tables(), "");
}

TEST_F(LlmInteractions, TooFewResultsGetNoTable) {
  ok("TILE=1,METHOD=0", 10.0);
  ok("TILE=1,METHOD=2", 8.0);
  ok("TILE=8,METHOD=0", 2.0);
  ok("TILE=8,METHOD=2", 3.2);
  EXPECT_EQ(tables(), "");
}

TEST_F(LlmInteractions, ParametersOfManyValuesAreLeftOut) {
  ok("TILE=1,METHOD=0", 10.0);
  ok("TILE=1,METHOD=2", 8.0);
  ok("TILE=2,METHOD=0", 6.0);
  ok("TILE=2,METHOD=2", 4.8);
  ok("TILE=4,METHOD=0", 5.0);
  ok("TILE=4,METHOD=2", 4.0);
  ok("TILE=8,METHOD=0", 2.0);
  ok("TILE=8,METHOD=2", 3.2);
  EXPECT_NE(tables(), "");
  // TILE has 4 values: with at most 3 per parameter only METHOD and BLOCK are eligible, and
  // they do not interact.
  EXPECT_EQ(summarize_interactions(FeedbackInputs{space, base, results}, 2, 3), "");
}

TEST_F(LlmInteractions, TheRefinementPromptCarriesTheTables) {
  measure_interacting();
  RefinementPromptInputs in{space, base, results};
  in.round = 2;
  in.configs_per_round = 5;
  const std::string prompt = build_refinement_prompt(in);
  const auto section = prompt.find("## Where parameters interact\n");
  ASSERT_NE(section, std::string::npos) << prompt;
  EXPECT_LT(section, prompt.find("## Next step"));
  EXPECT_NE(prompt.find("- TILE and METHOD:", section), std::string::npos);
}

}  // namespace
}  // namespace tuna::llm
