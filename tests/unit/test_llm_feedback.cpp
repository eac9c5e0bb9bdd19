// The summaries of what was measured that the refinement prompt is made of.
#include <gtest/gtest.h>

#include <cmath>

#include "llm/feedback.hpp"
#include "tuna/space.hpp"

namespace tuna::llm {
namespace {

std::vector<Value> ints(std::initializer_list<int> v) {
  std::vector<Value> out;
  for (int x : v) out.emplace_back(x);
  return out;
}

Space make_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("BM", ints({16, 32, 64}), 16));
  p.push_back(Parameter::list("BN", ints({16, 32, 64}), 16));
  p.push_back(Parameter::boolean("PACK", false));
  return Space(std::move(p), {});
}

class LlmFeedback : public ::testing::Test {
 protected:
  Result ok(std::string_view sparse, double ms) {
    Result r;
    r.config = space.parse_key(sparse);
    r.key = space.key(r.config);
    r.median_ms = ms;
    r.times_ms = {ms};
    return r;
  }
  Result failed(std::string_view sparse, Status status, std::string error_class,
                std::string message) {
    Result r = ok(sparse, 0);
    r.status = status;
    r.error_class = std::move(error_class);
    r.message = std::move(message);
    return r;
  }
  FeedbackInputs inputs() const { return FeedbackInputs{space, base, results}; }
  static bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }

  Space space = make_space();
  Config base = space.default_config();
  std::vector<Result> results;
};

TEST_F(LlmFeedback, RanksUsableResultsFastestFirstAndCountsTheRestAsFailed) {
  results = {ok("BM=32", 2.0), ok("", 4.0), ok("BN=32", 1.0), ok("BN=64", 1.0),
             failed("BM=64", Status::CompileError, "ptxas", "too many resources"),
             ok("PACK=true", std::nan(""))};
  auto ranked = ranked_results(results);
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0]->key, space.key(space.parse_key("BN=32")));  // ties in key order
  EXPECT_EQ(ranked[1]->key, space.key(space.parse_key("BN=64")));
  EXPECT_EQ(ranked[3]->median_ms, 4.0);
  EXPECT_EQ(failed_results(results).size(), 2u);
  EXPECT_TRUE(counts_as_failed(results[5]));
}

TEST_F(LlmFeedback, SummarizesTheSearchState) {
  results = {ok("BM=32", 0.08), ok("", 0.1), failed("BM=64", Status::Timeout, "timeout", "")};
  const std::string s = summarize_search_state(inputs());
  EXPECT_TRUE(has(s, "- Best so far: 0.08 ms with {\"BM\": 32}")) << s;
  EXPECT_TRUE(has(s, "- Runner-up: 0.1 ms; the best is 20.0% faster")) << s;
  EXPECT_TRUE(has(s, "- Configs measured: 3 (2 ran correctly, 1 failed)")) << s;
  EXPECT_TRUE(has(s, "- Coverage: 3 of 18 valid configs (17%)")) << s;
  results = {failed("BM=64", Status::Timeout, "timeout", "")};
  EXPECT_TRUE(has(summarize_search_state(inputs()), "No config has run successfully yet"));
}

TEST_F(LlmFeedback, PicksTheSecondAnchorThatDiffersMostFromTheBest) {
  results = {ok("BM=32", 1.0), ok("BM=32,BN=32", 1.1), ok("BM=64,BN=64,PACK=true", 1.2),
             ok("", 1.3)};
  const std::string s = summarize_anchors(inputs());
  EXPECT_TRUE(has(s, "- Anchor 1 (the best): 1 ms {\"BM\": 32}")) << s;
  EXPECT_TRUE(has(s, "- Anchor 2 (+20.0% vs anchor 1; differs in BM, BN, PACK): 1.2 ms "
                     "{\"BM\": 64, \"BN\": 64, \"PACK\": true}"))
      << s;
}

TEST_F(LlmFeedback, KeepsTheSecondAnchorWithinHalfAgainTheBestTime) {
  results = {ok("BM=32", 1.0), ok("BM=32,BN=32", 1.1), ok("BM=64,BN=64,PACK=true", 2.0)};
  const std::string s = summarize_anchors(inputs());
  EXPECT_TRUE(has(s, "- Anchor 2 (+10.0% vs anchor 1; differs in BN): 1.1 ms")) << s;
  results = {ok("BM=32", 1.0), ok("BN=32", 3.0)};
  EXPECT_TRUE(has(summarize_anchors(inputs()), "- Anchor 2 (+200.0% vs anchor 1"));
  results = {ok("BM=32", 1.0)};
  EXPECT_FALSE(has(summarize_anchors(inputs()), "Anchor 2"));
}

TEST_F(LlmFeedback, ListsResultsBestFirstAsDiffsUpToTheLimit) {
  results = {ok("", 3.0), ok("BM=32", 1.0), ok("BN=32", 2.0),
             failed("BM=64", Status::RuntimeError, "SIGSEGV", "crashed")};
  const std::string s = format_results(inputs(), 2);
  EXPECT_EQ(s,
            "- #1 1 ms (best) {\"BM\": 32}\n"
            "- #2 2 ms (+100.0%) {\"BN\": 32}\n"
            "(1 more successful configs not shown)\n"
            "(1 configs failed; see the failures below)\n");
}

TEST_F(LlmFeedback, FindsPatternsAmongTheTopConfigs) {
  EXPECT_TRUE(has(analyze_top_configs(inputs()), "Not enough"));
  results = {ok("BM=32", 1.0), ok("BM=32,BN=32", 1.1), ok("BM=32,BN=64", 1.2),
             ok("BM=64", 5.0)};
  const std::string s = analyze_top_configs(inputs());
  EXPECT_TRUE(has(s, "Over the 3 fastest configs:")) << s;
  EXPECT_TRUE(has(s, "- BM: always 32 (default 16)")) << s;
  EXPECT_TRUE(has(s, "- BN: 16 in 1, 32 in 1, 64 in 1 (default 16)")) << s;
  EXPECT_TRUE(has(s, "- Never moved from the default in these configs: PACK")) << s;
}

TEST_F(LlmFeedback, GroupsFailuresWithTheirClassAndAOneLineReason) {
  results = {ok("", 1.0), failed("BM=64", Status::Timeout, "timeout", "took over 15 s"),
             failed("BN=64", Status::CompileError, "ptxas", "line one\nline two"),
             failed("PACK=true", Status::CompileError, "", "")};
  const std::string s = summarize_failed_configs(inputs());
  EXPECT_TRUE(has(s, "Counts: compile_error=2, timeout=1\n")) << s;
  EXPECT_TRUE(has(s, "- compile_error [ptxas] {\"BN\": 64}: line one line two\n")) << s;
  EXPECT_TRUE(has(s, "- compile_error {\"PACK\": true}\n")) << s;
  EXPECT_TRUE(has(s, "- timeout [timeout] {\"BM\": 64}: took over 15 s")) << s;
  EXPECT_LT(s.find("compile_error ["), s.find("- timeout"));
  EXPECT_TRUE(has(summarize_failed_configs(inputs(), 1), "(2 more failed configs not shown)"));
  results = {ok("", 1.0)};
  EXPECT_EQ(summarize_failed_configs(inputs()), "");
}

TEST_F(LlmFeedback, ShowsResourcesOnlyWhenTheBackendReportedThem) {
  results = {ok("", 1.0), ok("BM=32", 2.0)};
  EXPECT_EQ(summarize_resources(inputs()), "");
  results[1].resources = {{"registers", 64}, {"spills", 0}, {"occupancy", 0.5}};
  EXPECT_EQ(summarize_resources(inputs()),
            "- #2 2 ms {\"BM\": 32}: occupancy=0.5, registers=64, spills=0\n");
}

TEST_F(LlmFeedback, ListsTheOneStepMovesNotYetMeasured) {
  results = {ok("BM=32", 1.0), ok("BM=16", 2.0)};
  const std::string s = untried_moves(inputs(), space.parse_key("BM=32"));
  EXPECT_EQ(s,
            "- BM (now 32): 64\n"
            "- BN (now 16): 32\n"
            "- PACK (now false): true\n");
}

}  // namespace
}  // namespace tuna::llm
