// The summaries of what was measured that the refinement prompt is made of.
#include <gtest/gtest.h>

#include <cmath>

#include "llm/feedback.hpp"
#include "llm/prompt_format.hpp"
#include "tuna/space.hpp"
#include "support/int_values.hpp"
#include "support/measured_result.hpp"

namespace tuna::llm {
namespace {

using testing::ints;

Space make_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("BM", ints({16, 32, 64}), 16));
  p.push_back(Parameter::list("BN", ints({16, 32, 64}), 16));
  p.push_back(Parameter::boolean("PACK", false));
  return Space(std::move(p), {});
}

class LlmFeedback : public ::testing::Test {
 protected:
  // `spread` > 0: three repetitions whose interquartile range over the median is `spread`.
  Result ok(std::string_view sparse, double ms, double spread = 0) {
    Result r;
    r.config = space.parse_key(sparse);
    r.key = space.key(r.config);
    r.median_ms = ms;
    r.times_ms = spread > 0 ? std::vector<double>{ms * (1 - spread), ms, ms * (1 + spread)}
                            : std::vector<double>{ms};
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
  FeedbackInputs inputs_with(const KernelSpec& spec, const DeviceInfo& device) const {
    return FeedbackInputs{space, base, results, &spec, &device};
  }
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

TEST_F(LlmFeedback, ListsEveryResultWithItsSpreadAndRatioToTheBest) {
  results = {ok("", 3.0), ok("BM=32", 1.0, 0.02), ok("BN=32", 2.0),
             failed("BM=64", Status::RuntimeError, "SIGSEGV", "crashed")};
  const std::string s = format_results(inputs());
  EXPECT_TRUE(has(s, "3 configs ran.")) << s;
  EXPECT_TRUE(has(s, "do not propose any of them again")) << s;
  EXPECT_TRUE(has(s, "Repeats are removed before measuring")) << s;
  EXPECT_TRUE(has(s,
                  "#1  1 ms  2%  x1.000  BM=32\n"
                  "#2  2 ms  -  x2.000  BN=32\n"
                  "#3  3 ms  -  x3.000  (default)\n"))
      << s;
  EXPECT_FALSE(has(s, "BM=64")) << s;  // failures are listed with their reasons elsewhere
}

TEST_F(LlmFeedback, CollapsesOnlyTheSlowTailPastTheLimit) {
  results = {ok("", 1.0),          ok("BM=32", 1.1),         ok("BN=32", 1.2),
             ok("BN=64", 1.3),     ok("PACK=true", 1.4),     ok("BM=32,BN=32", 1.5),
             ok("BM=64", 1.6),     ok("BM=64,BN=64", 1.7),   ok("BM=64,PACK=true", 2.0)};
  // At the default limit all nine are listed.
  std::string s = format_results(inputs());
  for (const Result& r : results)
    EXPECT_TRUE(has(s, "  " + diff_compact(space, r.config, base) + "\n")) << r.key << "\n" << s;
  EXPECT_FALSE(has(s, "not listed")) << s;
  // Over a limit of 6: two thirds of it (4) listed, the other 5 summarised by value.
  s = format_results(inputs(), 6);
  EXPECT_TRUE(has(s, "#4  1.3 ms")) << s;
  EXPECT_FALSE(has(s, "#5 ")) << s;
  EXPECT_TRUE(has(s, "(+ 5 slower configs, x1.400 to x2.000, not listed one by one")) << s;
  EXPECT_TRUE(has(s, "  BM: 16 (1), 32 (1), 64 (3)\n")) << s;
  EXPECT_TRUE(has(s, "  PACK: false (3), true (2)\n")) << s;
}

TEST_F(LlmFeedback, MeasuresTheSpreadOfTheRepetitionsRobustly) {
  Result r = ok("", 1.0);
  r.times_ms = {1.0, 1.01, 1.02, 1.03, 1.04};
  ASSERT_TRUE(relative_spread(r));
  EXPECT_NEAR(*relative_spread(r), 0.02 / 1.02, 1e-12);
  r.times_ms = {1.0, 1.01, 1.02, 1.03, 9.0};  // one outlier barely moves it
  EXPECT_NEAR(*relative_spread(r), 0.02 / 1.02, 1e-12);
  r.times_ms = {1.0};
  EXPECT_FALSE(relative_spread(r));

  results = {ok("", 1.0, 0.01), ok("BM=32", 2.0, 0.03), ok("BN=32", 3.0, 0.02), ok("PACK=true", 4.0)};
  const TimingNoise noise = timing_noise(results);
  ASSERT_TRUE(noise.typical);
  EXPECT_NEAR(*noise.typical, 0.02, 1e-12);
  EXPECT_EQ(noise.sampled, 3u);
  EXPECT_NEAR(noise.significant, 0.04, 1e-12);
  results = {ok("", 1.0, 0.0001), ok("BM=32", 2.0, 0.0001)};
  EXPECT_NEAR(timing_noise(results).significant, 0.005, 1e-12);  // never below the floor
  results = {ok("", 1.0)};
  EXPECT_FALSE(timing_noise(results).typical);
}

TEST_F(LlmFeedback, StatesTheNoiseAndCallsConfigsWithinItTied) {
  results = {ok("BM=32", 1.0, 0.01), ok("BN=32", 1.004, 0.01), ok("PACK=true", 1.01, 0.01),
             ok("", 1.5, 0.01)};
  const std::string s = summarize_search_state(inputs());
  EXPECT_TRUE(has(s, "the best is 0.4% faster (within the timing noise)")) << s;
  EXPECT_TRUE(has(s, "- Timing noise: a typical config's repeated timings spread by 1% "
                     "(interquartile range over median, 4 configs); differences below 2% are not "
                     "significant.")) << s;
  EXPECT_TRUE(has(s, "- The 3 fastest configs are within 1% of each other, inside the noise")) << s;
  results = {ok("BM=32", 1.0, 0.01), ok("BN=32", 1.5, 0.01)};
  const std::string apart = summarize_search_state(inputs());
  EXPECT_FALSE(has(apart, "within the timing noise")) << apart;
  EXPECT_FALSE(has(apart, "fastest configs are within")) << apart;
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

TEST_F(LlmFeedback, GroupsFailuresByStatusWithTheirClassAndAOneLineReason) {
  results = {ok("", 1.0), failed("BM=64", Status::Timeout, "timeout", "took over 15 s"),
             failed("BN=64", Status::CompileError, "ptxas", "line one\nline two"),
             failed("PACK=true", Status::CompileError, "", "")};
  const std::string s = summarize_failed_configs(inputs());
  EXPECT_TRUE(has(s, "3 of the 4 measured configs failed")) << s;
  EXPECT_TRUE(has(s, "compile_error, 2 configs: failed to compile")) << s;
  EXPECT_TRUE(has(s, "- BN=64 [ptxas]: line one line two\n")) << s;
  EXPECT_TRUE(has(s, "- PACK=true\n")) << s;
  EXPECT_TRUE(has(s, "timeout, 1 config: took longer than the time limit")) << s;
  EXPECT_TRUE(has(s, "- BM=64: took over 15 s\n")) << s;  // the class repeats the status: left out
  EXPECT_LT(s.find("compile_error,"), s.find("timeout,"));
  results = {ok("", 1.0)};
  EXPECT_EQ(summarize_failed_configs(inputs()), "");
}

TEST_F(LlmFeedback, ExplainsRecordedFailuresInWordsAndWhereTheyConcentrate) {
  results = {ok("", 1.0), ok("BN=32", 1.2), ok("PACK=true", 1.3), ok("BM=32", 1.1),
             ok("BM=32,BN=32", 1.4), ok("BN=64", 1.6),
             failed("BM=64", Status::CompileError, "compile_error", "recorded as compile_error"),
             failed("BM=64,BN=32", Status::CompileError, "compile_error", "recorded as compile_error"),
             failed("BM=64,PACK=true", Status::RuntimeError, "runtime_error", "recorded as runtime_error")};
  ASSERT_TRUE(message_is_bare_record(results[6]));
  const std::string s = summarize_failed_configs(inputs());
  EXPECT_FALSE(has(s, "recorded as")) << s;
  EXPECT_TRUE(has(s, "compile_error, 2 configs: failed to compile, for example more registers")) << s;
  EXPECT_TRUE(has(s, "runtime_error, 1 config: compiled, but failed at launch or while running, "
                     "for example too many threads or too much shared memory per block"))
      << s;
  EXPECT_TRUE(has(s, "replayed from a recording; no compiler or runtime message was kept")) << s;
  EXPECT_TRUE(has(s, "- BM=64 BN=32\n")) << s;
  const std::string rates = summarize_failure_rates(inputs());
  EXPECT_TRUE(has(rates, "3 of 9 configs failed overall, 33%")) << rates;
  EXPECT_TRUE(has(rates, "- BM=64 failed in 3 of 3 configs (100%); never failed with BM=16 (4 "
                         "configs)"))
      << rates;
  EXPECT_FALSE(has(rates, "- BN=")) << rates;  // BN's failures are explained by BM=64
}

TEST_F(LlmFeedback, FindsPairsOfValuesThatFailOnlyTogether) {
  // BM=64 and BN=64 each fail in 2 of 5 configs; together in 2 of 2.
  results = {ok("", 1.0),          ok("BM=64", 1.1),          ok("BN=64", 1.2),
             ok("BM=64,PACK=true", 1.3), ok("BN=64,PACK=true", 1.3), ok("BM=32", 1.4),
             ok("BN=32", 1.4),     ok("BM=32,BN=32", 1.5),   ok("BM=64,BN=32", 1.6),
             ok("BM=32,BN=64", 1.7),
             failed("BM=64,BN=64", Status::CompileError, "ptxas", "too many resources"),
             failed("BM=64,BN=64,PACK=true", Status::CompileError, "ptxas", "too many resources")};
  const std::string rates = summarize_failure_rates(inputs());
  EXPECT_TRUE(has(rates, "- BM=64 together with BN=64: 2 of 2 configs failed")) << rates;
  results = {ok("", 1.0), ok("BM=32", 1.1), failed("BN=64", Status::CompileError, "x", "y")};
  EXPECT_TRUE(has(summarize_failure_rates(inputs()), "No parameter value or pair of values"));
  results = {ok("", 1.0)};
  EXPECT_EQ(summarize_failure_rates(inputs()), "");
}

TEST_F(LlmFeedback, ShowsResourcesOnlyWhenTheBackendReportedThem) {
  results = {ok("", 1.0), ok("BM=32", 2.0)};
  EXPECT_EQ(summarize_resources(inputs()), "");
  results[0].resources = {{"recorded_run_ms", 12}, {"benchmark_ms", 3}};  // bookkeeping only
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

TEST(LlmFeedbackFormat, WritesDiffsCompactly) {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("LOOP", {Value("ijk"), Value("ikj")}, Value("ijk")));
  p.push_back(Parameter::list("BM", ints({16, 32}), 16));
  p.push_back(Parameter::list("ALPHA", {Value(0.5), Value(1.0)}, Value(0.5)));
  p.push_back(Parameter::boolean("PACK", false));
  const Space s(std::move(p), {});
  const Config base = s.default_config();
  EXPECT_EQ(diff_compact(s, base, base), "(default)");
  EXPECT_EQ(diff_compact(s, s.parse_key("BM=32,PACK=true"), base), "BM=32 PACK=true");
  EXPECT_EQ(diff_compact(s, s.parse_key("ALPHA=1.0"), base), "ALPHA=1.0");
  EXPECT_EQ(diff_compact(s, s.parse_key("LOOP=ikj,BM=32"), base), "LOOP=ikj BM=32");
}

TEST_F(LlmFeedback, SuggestsMovesOfTheParametersThatMatteredFirstAndSaysWhy) {
  // BN changes the time a lot, BM hardly at all; PACK was never moved.
  results = {ok("BM=32,BN=32", 1.0, 0.01), ok("BN=32", 1.002, 0.01), ok("BM=32", 2.0, 0.01),
             ok("", 2.001, 0.01)};
  const std::string s = suggested_moves(inputs(), space.parse_key("BM=32,BN=32"), 6);
  const std::size_t bn = s.find("- BN 32 -> 64: BN matters: best time per value spans x2.000 "
                                "(16 2 ms, 32 1 ms)");
  const std::size_t pack = s.find("- PACK false -> true: effect not measured yet");
  const std::size_t bm = s.find("- BM 32 -> 64: low priority");
  ASSERT_NE(bn, std::string::npos) << s;
  ASSERT_NE(pack, std::string::npos) << s;
  ASSERT_NE(bm, std::string::npos) << s;
  EXPECT_LT(bn, pack) << s;
  EXPECT_LT(pack, bm) << s;
  EXPECT_FALSE(has(s, "BM 32 -> 16")) << s;  // BM=16 with BN=32 is measured: not offered
  // A limit keeps the list short and names what was left out.
  const std::string short_list = suggested_moves(inputs(), space.parse_key("BM=32,BN=32"), 1);
  EXPECT_TRUE(has(short_list, "(less promising, not listed: moves of PACK, BM)")) << short_list;
}

TEST_F(LlmFeedback, AValueMeasuredOnlyFarFromTheAnchorIsNotReadAsEvidenceAgainstTheMove) {
  // PACK=true ran once, in a config that differs from the anchor in BM and BN as well: its slow
  // time says little about moving PACK alone. BN=16 ran next to the anchor: real evidence.
  results = {ok("BM=32,BN=32", 1.0, 0.01), ok("BM=32", 1.5, 0.01), ok("BN=32", 1.1, 0.01),
             ok("BM=64,BN=64,PACK=true", 3.0, 0.01)};
  const std::string s = suggested_moves(inputs(), space.parse_key("BM=32,BN=32"), 6);
  const std::size_t pack = s.find("- PACK false -> true: not yet tried near this config");
  ASSERT_NE(pack, std::string::npos) << s;
  EXPECT_TRUE(has(s, "other parameters, so their times (false 1 ms, true 3 ms)")) << s;
  EXPECT_FALSE(has(s, "PACK matters")) << s;
}

TEST_F(LlmFeedback, DoesNotSuggestAMoveToAValueThatFailedInMostConfigs) {
  results = {ok("BM=32", 1.0), ok("", 1.5), ok("BN=32", 1.4), ok("PACK=true", 1.6),
             failed("BM=64,BN=32", Status::CompileError, "ptxas", "too many resources"),
             failed("BM=64,PACK=true", Status::CompileError, "ptxas", "too many resources"),
             failed("BM=64,BN=64", Status::CompileError, "ptxas", "too many resources")};
  const std::string s = suggested_moves(inputs(), space.parse_key("BM=32"), 6);
  EXPECT_FALSE(has(s, "- BM 32 -> 64")) << s;
  EXPECT_TRUE(has(s, "- Not worth a slot: BM=64 (failed in 3 of the 3 configs that use it)")) << s;
  EXPECT_TRUE(has(s, "- BN 16 -> 32")) << s;
  // The plain listing of untried moves still has it: only the suggestions filter.
  EXPECT_TRUE(has(untried_moves(inputs(), space.parse_key("BM=32")), "- BM (now 32): 64"));
}

TEST_F(LlmFeedback, DoesNotSuggestMovesThatSpillOrOverflowTheDevice) {
  // Spills: BN=64 spilled in both configs that report resources, the anchor does not.
  results = {ok("BM=32,BN=32", 1.0), ok("", 1.5), ok("BN=64", 1.4), ok("BN=64,PACK=true", 1.3)};
  results[0].resources = {{"registers", 40}, {"spill_stores_bytes", 0}};
  results[2].resources = {{"registers", 255}, {"spill_stores_bytes", 96}};
  results[3].resources = {{"registers", 255}, {"spill_stores_bytes", 64}};
  std::string s = suggested_moves(inputs(), space.parse_key("BM=32,BN=32"), 6);
  EXPECT_FALSE(has(s, "-> 16 or 64")) << s;
  EXPECT_TRUE(has(s, "- BN 32 -> 16: ")) << s;
  EXPECT_TRUE(has(s, "BN=64 (spilled registers in 2 of the 2 configs that use it)")) << s;

  // Limits: shared memory of BM*BN*16 bytes and BM*BN/2 threads per block against the device.
  KernelSpec spec;
  spec.launch.block[0] = Expr::parse("BM * BN // 2");
  spec.launch.shared_memory_bytes = Expr::parse("BM * BN * 16");
  DeviceInfo device;
  device.facts.set("shared_memory_per_block", 16384);
  device.facts.set("registers_per_block", 65536);
  device.facts.set("max_threads_per_block", 1024);
  results = {ok("BM=32,BN=32", 1.0), ok("BN=32", 1.5), ok("BM=32", 1.7)};
  results[0].resources = {{"registers", 100}, {"static_shared_bytes", 0}};
  s = suggested_moves(inputs_with(spec, device), space.parse_key("BM=32,BN=32"), 6);
  // BM=64,BN=32: 1024 threads x 100 registers, over 65536 (and 32 KiB of shared memory).
  EXPECT_TRUE(has(s, "BM=64 (1024 threads x 100 registers = 102400 registers per block, above "
                     "the device's 65536)"))
      << s;
  // Without the register count only the shared memory rules it out.
  results[0].resources = {{"static_shared_bytes", 0}};
  s = suggested_moves(inputs_with(spec, device), space.parse_key("BM=32,BN=32"), 6);
  EXPECT_TRUE(has(s, "BM=64 (needs 32 KiB of shared memory per block; the device allows 16 KiB)"))
      << s;
  EXPECT_FALSE(has(s, "- BM 32 -> 64")) << s;
  EXPECT_TRUE(has(s, "- PACK false -> true")) << s;  // changes no resource: still suggested
}

}  // namespace
}  // namespace tuna::llm

namespace tuna::llm {
namespace {

// Three switches and a tile size: the shape of the convolution spaces, where turning shared
// memory off pays only with read-only loads off as well.
class LlmSwitchPairs : public ::testing::Test {
 protected:
  static Space make() {
    std::vector<Parameter> p;
    p.push_back(Parameter::list("TILE", ints({1, 2, 4}), 1));
    p.push_back(Parameter::boolean("SHMEM", true));
    p.push_back(Parameter::boolean("RO", false));
    p.push_back(Parameter::boolean("PAD", false));
    return Space(std::move(p), {});
  }
  Result ok(std::string_view sparse, double ms) { return testing::measured_ok(space, sparse, ms); }
  std::string pairs() const {
    return paired_switch_moves(FeedbackInputs{space, space.default_config(), results}, anchor, 6);
  }

  Space space = make();
  Config anchor = space.parse_key("TILE=2,SHMEM=true,RO=true,PAD=false");
  std::vector<Result> results;
};

TEST_F(LlmSwitchPairs, ASwitchNeverTriedNearTheAnchorIsOfferedWithEachOtherSwitch) {
  // RO=false ran next to the anchor; SHMEM=false ran only far from it (TILE and PAD differ too);
  // PAD=true never ran.
  results = {ok("TILE=2,SHMEM=true,RO=true", 1.0), ok("TILE=2,SHMEM=true,RO=false", 1.1),
             ok("TILE=4,SHMEM=false,RO=true,PAD=true", 1.6)};
  const std::string s = pairs();
  EXPECT_NE(s.find("- SHMEM true -> false with RO true -> false\n"), std::string::npos) << s;
  EXPECT_NE(s.find("- SHMEM true -> false with PAD false -> true\n"), std::string::npos) << s;
  EXPECT_NE(s.find("- PAD false -> true with RO true -> false\n"), std::string::npos) << s;
  // RO was tried near the anchor: it is never the switch a pair is built around, and the
  // SHMEM-PAD pair is listed once.
  EXPECT_EQ(s.find("- RO "), std::string::npos) << s;
  EXPECT_EQ(s.find("- PAD false -> true with SHMEM"), std::string::npos) << s;
}

TEST_F(LlmSwitchPairs, AMeasuredPairIsNotOfferedAndNothingIsOfferedOnceEverySwitchRanNearby) {
  results = {ok("TILE=2,SHMEM=true,RO=true", 1.0), ok("TILE=2,SHMEM=false,RO=false", 0.9)};
  EXPECT_EQ(pairs().find("SHMEM true -> false with RO true -> false"), std::string::npos);
  results = {ok("TILE=2,SHMEM=true,RO=true", 1.0), ok("TILE=1,SHMEM=false,RO=true", 1.2),
             ok("TILE=2,SHMEM=true,RO=false", 1.1), ok("TILE=2,SHMEM=true,RO=true,PAD=true", 1.3)};
  EXPECT_EQ(pairs(), "");
}

}  // namespace
}  // namespace tuna::llm
