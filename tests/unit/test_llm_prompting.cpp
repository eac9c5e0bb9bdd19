// The prompts: deterministic bytes, every section with the right content for a small spec, the
// back-off switch, resource lines only when there are resources, and the reply schema.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "llm/prompt_format.hpp"
#include "llm/prompting.hpp"
#include "unit/spec_test_support.hpp"

namespace tuna::testing {
namespace {

using llm::build_initial_prompt;
using llm::build_refinement_prompt;
using llm::build_system_prompt;
using llm::InitialPromptInputs;
using llm::RefinementPromptInputs;

constexpr std::string_view kSource =
    "extern \"C\" void matmul(const float* A, const float* B, float* C, int n) { /* tiles */ }\n";

class LlmPrompting : public SpecFolder {
 protected:
  void SetUp() override {
    SpecFolder::SetUp();
    device.backend = "cuda";
    device.name = "Test GPU";
    device.facts.set("sm_count", 108);
    device.facts.set("shared_memory_per_block", 49152);
    device.facts.set("memory_bandwidth_gbps", 1555.0);
    device.facts.set("peak_fp32_gflops", 19500.0);
    spec = load(kMatmulSpec);
    space = spec.make_space(device);
  }
  std::string initial(int n = 15, double timeout = 0, std::string source = std::string(kSource)) {
    InitialPromptInputs in{spec, space, device, std::move(source), n, timeout};
    return build_initial_prompt(in);
  }
  Result ok(std::string_view sparse, double ms) {
    Result r;
    r.config = space.parse_key(sparse);
    r.key = space.key(r.config);
    r.median_ms = ms;
    return r;
  }
  Result failed(std::string_view sparse, std::string message) {
    Result r = ok(sparse, 0);
    r.status = Status::CompileError;
    r.error_class = "syntax";
    r.message = std::move(message);
    return r;
  }
  std::string refine(const std::vector<Result>& results, int round = 1) {
    const Config base = space.default_config();
    RefinementPromptInputs in{space, base, results, round, 15, 15};
    return build_refinement_prompt(in);
  }
  // The same with the spec and the device, as the search passes them.
  std::string refine_with_spec(const std::vector<Result>& results, int round = 1) {
    const Config base = space.default_config();
    RefinementPromptInputs in{space, base, results, round, 15, 15, &spec, &device};
    return build_refinement_prompt(in);
  }
  // A run of `n` configs as a recorded space replays it: the space's 176 valid configs taken
  // with a stride of 7 (a permutation, so every part of the space comes early), five
  // repetitions each; every config with BM=32 failed with a bare recorded status.
  std::vector<Result> recorded_run(std::size_t n) {
    std::vector<Result> out;
    const auto all = space.enumerate_all();
    for (std::size_t i = 0; i < all.size() && out.size() < n; ++i) {
      Result r;
      r.config = all[(i * 7) % all.size()];
      r.key = space.key(r.config);
      if (r.config[0] == Value(32)) {
        r.status = Status::CompileError;
        r.error_class = "compile_error";
        r.message = "recorded as compile_error";
      } else {
        const double ms = 1.0 + 0.005 * static_cast<double>(i);
        r.times_ms = {ms * 0.99, ms * 0.995, ms, ms * 1.005, ms * 1.01};
        r.median_ms = ms;
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  // The body of section "## title" (up to the next section).
  static std::string section(const std::string& prompt, std::string_view title) {
    const std::string head = "## " + std::string(title) + "\n";
    std::size_t at = prompt.find(head);
    if (at == std::string::npos) return {};
    at += head.size();
    std::size_t end = prompt.find("\n## ", at);
    return prompt.substr(at, end == std::string::npos ? std::string::npos : end - at);
  }
  static bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }

  DeviceInfo device;
  KernelSpec spec;
  Space space;
};

TEST_F(LlmPrompting, SystemPromptStatesTheRoleTheSpaceAndTheOutputContract) {
  const std::string s = build_system_prompt(spec, space);
  EXPECT_EQ(s, build_system_prompt(spec, space));
  EXPECT_TRUE(has(s, "only source of truth")) << s;
  EXPECT_TRUE(has(s, "C = A * B for row-major matrices")) << s;
  EXPECT_TRUE(has(s, "- BM: rows of C per tile\n")) << s;
  EXPECT_TRUE(has(s, "- BN: no description given")) << s;
  EXPECT_TRUE(has(s, "exactly one JSON object and nothing else: {\"configs\": [...]}")) << s;
  EXPECT_TRUE(has(s, "only the parameters whose value differs from the default")) << s;
  // The example reply names real parameters and values of this space.
  EXPECT_TRUE(has(s, "{\"configs\": [{\"BM\": 8}, {\"BN\": 4, \"BM\": 8}]}")) << s;
}

TEST_F(LlmPrompting, InitialPromptHasEverySectionWithItsContent) {
  const std::string p = initial();
  EXPECT_EQ(p, initial());
  EXPECT_TRUE(has(section(p, "Kernel"), "Name: matmul; backend: host; entry point: `matmul`"));
  EXPECT_TRUE(has(section(p, "Kernel source"), "```cpp\n" + std::string(kSource) + "```"));
  EXPECT_FALSE(has(section(p, "Kernel source"), "Not available"));
  const std::string args = section(p, "Arguments and problem constants");
  EXPECT_TRUE(has(args, "- A: input buffer of f32, 2,048 elements (`M * K`), 8 KiB")) << args;
  EXPECT_TRUE(has(args, "- alpha = 1.5")) << args;
  const std::string hw = section(p, "Hardware");
  EXPECT_TRUE(has(hw, "- device.sm_count = 108")) << hw;
  EXPECT_TRUE(has(hw, "- device.shared_memory_per_block = 48 KiB")) << hw;
  const std::string sp = section(p, "Tuning space");
  EXPECT_TRUE(has(sp, "5 parameters; 176 valid configs out of 192 combinations.")) << sp;
  EXPECT_TRUE(has(sp, "- BM: one of 8, 16, 32; default 16. rows of C per tile\n")) << sp;
  EXPECT_TRUE(has(sp, "- BN: power of two from 4 to 32: 4, 8, 16, 32; default 8\n")) << sp;
  EXPECT_TRUE(has(sp, "- UNROLL: integer from 1 to 4 in steps of 1 (4 values); default 2\n")) << sp;
  EXPECT_TRUE(has(sp, "- LOOP: one of \"ijk\", \"ikj\"; default \"ikj\"\n")) << sp;
  EXPECT_TRUE(has(sp, "- PACK: boolean: true or false; default false\n")) << sp;
  const std::string cons = section(p, "Constraints");
  EXPECT_TRUE(has(cons, "- tile_divides_m: `M % BM == 0`\n")) << cons;
  EXPECT_TRUE(has(cons, "- small_tile: `BM * BN <= 512`\n")) << cons;
  EXPECT_EQ(section(p, "Default config"),
            "{\"BM\": 16, \"BN\": 8, \"UNROLL\": 2, \"LOOP\": \"ikj\", \"PACK\": false}\n");
  const std::string wl = section(p, "Workload analysis");
  EXPECT_TRUE(has(wl, "262,144 floating-point operations")) << wl;
  EXPECT_TRUE(has(wl, "Arithmetic intensity: 8 FLOP per byte")) << wl;
  EXPECT_TRUE(has(wl, "memory-bound")) << wl;
  const std::string guide = section(p, "Search strategy");
  EXPECT_TRUE(has(guide, "about 6 near the default")) << guide;
  EXPECT_TRUE(has(guide, "about 6 balanced")) << guide;
  EXPECT_TRUE(has(guide, "about 3 aggressive")) << guide;
  // LOOP and PACK take two values each: 4 combinations, room for all in a round of 15.
  EXPECT_TRUE(has(guide, "The two-way choices (LOOP, PACK) select different ways")) << guide;
  EXPECT_TRUE(has(guide, "give every combination that the constraints allow at least one config"))
      << guide;
  EXPECT_FALSE(has(guide, "values of LOOP")) << guide;  // a two-way choice, not a word list
  EXPECT_TRUE(has(section(p, "Task"), "Propose the first 15 configs"));
}

TEST_F(LlmPrompting, InitialGuidanceScalesWithTheRoundSizeAndMentionsTheCompileTimeout) {
  const std::string p = section(initial(5, 15), "Search strategy");
  EXPECT_TRUE(has(p, "up to 5 configs")) << p;
  EXPECT_TRUE(has(p, "about 2 near the default")) << p;
  EXPECT_TRUE(has(p, "about 2 balanced")) << p;
  EXPECT_TRUE(has(p, "about 1 aggressive")) << p;
  EXPECT_TRUE(has(p, "longer than 15 s to compile")) << p;
  EXPECT_FALSE(has(section(initial(), "Search strategy"), "to compile"));
}

TEST_F(LlmPrompting, WithoutRoomForEveryCombinationEachTwoWayChoiceIsTriedBothWays) {
  // 3 configs cannot cover the 4 combinations of LOOP and PACK.
  const std::string guide = section(initial(3), "Search strategy");
  EXPECT_TRUE(has(guide, "Try both settings of each two-way choice (LOOP, PACK)")) << guide;
  EXPECT_FALSE(has(guide, "every combination")) << guide;
}

TEST_F(LlmPrompting, WorkloadVerdictIsLeftOpenWithoutPeakRates) {
  device.facts = Env();
  device.facts.set("cores", 2);
  space = spec.make_space(device);
  const std::string wl = section(initial(), "Workload analysis");
  EXPECT_TRUE(has(wl, "reports no peak rates")) << wl;
  EXPECT_FALSE(has(wl, "memory-bound")) << wl;
}

TEST_F(LlmPrompting, TritonKernelIsShownAsPythonWithWhatItsParametersAre) {
  spec.backend = "triton";
  const std::string prompt = initial(15, 0, "@triton.jit\ndef matmul(a, b, c, BM: tl.constexpr):\n    pass\n");
  EXPECT_TRUE(has(section(prompt, "Kernel source"), "```python\n@triton.jit")) << prompt;
  const std::string kernel = section(prompt, "Kernel");
  EXPECT_TRUE(has(kernel, "Triton kernel")) << kernel;
  // This space has no launch options: Triton's defaults are named.
  EXPECT_TRUE(has(kernel, "num_warps = 4")) << kernel;
  EXPECT_TRUE(has(kernel, "tl.constexpr argument")) << kernel;
}

TEST_F(LlmPrompting, SaysTheSourceIsNotAvailableAndShowsNothingInItsPlace) {
  const std::string p = initial(15, 0, "");
  EXPECT_EQ(p, initial(15, 0, ""));
  EXPECT_EQ(section(p, "Kernel source"),
            "Not available: the kernel's source is not part of this task. Reason from the "
            "parameter names and descriptions, the arguments, the hardware and the space below, "
            "and from the measurements that later messages report.\n");
  EXPECT_FALSE(has(p, "```")) << p;  // no code block of any kind
  EXPECT_FALSE(has(p, "matmul(const float*")) << p;
  EXPECT_FALSE(has(p, "could not be read")) << p;
  EXPECT_TRUE(has(section(p, "Search strategy"), "read the parameter descriptions, the arguments"));
  EXPECT_FALSE(has(section(p, "Search strategy"), "read the source"));
}

TEST_F(LlmPrompting, RefinementPromptHasStateAnchorsResultsPatternsFailuresAndTask) {
  std::vector<Result> results = {ok("BM=8", 1.0), ok("BN=4", 1.5), ok("", 2.0),
                                 ok("UNROLL=1", 2.5), failed("BM=32", "error: bad\nthing")};
  const std::string p = refine(results, 2);
  EXPECT_EQ(p, refine(results, 2));
  EXPECT_TRUE(has(section(p, "Search state after round 1"), "Best so far: 1 ms with {\"BM\": 8}"));
  EXPECT_TRUE(has(section(p, "Search state after round 1"), "Timing noise: unknown"));
  EXPECT_TRUE(has(section(p, "Anchors"), "Anchor 1 (the best): 1 ms {\"BM\": 8}"));
  EXPECT_TRUE(has(section(p, "Configs that ran, fastest first"),
                  "#1  1 ms  -  x1.000  BM=8\n#2  1.5 ms  -  x1.500  BN=4\n"));
  EXPECT_TRUE(has(section(p, "Patterns among the top configs"), "Over the 3 fastest configs"));
  const std::string failures = section(p, "Failed configs");
  EXPECT_TRUE(has(failures, "compile_error, 1 config: failed to compile")) << failures;
  EXPECT_TRUE(has(failures, "- BM=32 [syntax]: error: bad thing")) << failures;
  EXPECT_FALSE(has(p, "## Resource usage"));
  EXPECT_FALSE(has(p, "## Achieved performance"));  // no spec given
  const std::string next = section(p, "Next step");
  EXPECT_TRUE(has(next, "two thirds of the configs: one-parameter changes of anchor 1")) << next;
  EXPECT_FALSE(has(next, "Back off")) << next;
  EXPECT_TRUE(has(next, "Around anchor 1:\n")) << next;
  EXPECT_TRUE(has(next, "- LOOP \"ikj\" -> \"ijk\": effect not measured yet")) << next;
  EXPECT_TRUE(has(next, "longer than 15 s to compile")) << next;
  EXPECT_TRUE(has(section(p, "Task"), "Propose up to 15 new configs for round 2"));
  EXPECT_TRUE(has(section(p, "Task"), "all 5 were measured; repeats are dropped unmeasured"));
}

TEST_F(LlmPrompting, ListsEveryConfigOfASixtyConfigRunWithItsSpreadAndFailureReason) {
  const std::vector<Result> results = recorded_run(60);
  const Config base = space.default_config();
  const std::string p = refine_with_spec(results, 3);
  EXPECT_EQ(p, refine_with_spec(results, 3));
  const std::string ran = section(p, "Configs that ran, fastest first");
  const std::string failures = section(p, "Failed configs");
  std::size_t ok_count = 0, failed_count = 0;
  for (const Result& r : results) {
    const std::string diff = llm::diff_compact(space, r.config, base);
    if (r.ok()) {
      ++ok_count;
      EXPECT_TRUE(has(ran, "  " + diff + "\n")) << diff;
    } else {
      ++failed_count;
      EXPECT_TRUE(has(failures, "- " + diff + "\n")) << diff;
    }
  }
  ASSERT_GT(ok_count, 20u);
  ASSERT_GT(failed_count, 5u);
  EXPECT_TRUE(has(ran, fmt::format("{} configs ran.", ok_count))) << ran;
  EXPECT_TRUE(has(ran, fmt::format("#{}  ", ok_count))) << ran;
  EXPECT_FALSE(has(ran, "not listed")) << ran;
  EXPECT_TRUE(has(ran, "do not propose any of them again")) << ran;
  // Each time carries its spread: five repetitions at +-1% give an interquartile range of 1%.
  EXPECT_TRUE(has(ran, "#1  1 ms  1%  x1.000  ")) << ran;
  const std::string state = section(p, "Search state after round 2");
  EXPECT_TRUE(has(state, "repeated timings spread by 1% (interquartile range over median")) << state;
  EXPECT_TRUE(has(state, "differences below 2% are not significant")) << state;
  EXPECT_TRUE(has(state, "fastest configs are within")) << state;
  // Recorded failures: what the status means, and the value they all share.
  EXPECT_FALSE(has(failures, "recorded as")) << failures;
  EXPECT_TRUE(has(failures, "failed to compile, for example more registers or shared memory")) << failures;
  EXPECT_TRUE(has(failures, fmt::format("- BM=32 failed in {} of {} configs (100%)", failed_count,
                                        failed_count)))
      << failures;
  // Achieved rates from the spec's metrics and the device's peaks.
  const std::string perf = section(p, "Achieved performance");
  EXPECT_TRUE(has(perf, "The best config (1 ms) achieves:")) << perf;
  EXPECT_TRUE(has(perf, "- arithmetic: 0.2621 GFLOP/s = 0.0013% of the device's peak 19500 GFLOP/s"))
      << perf;
  EXPECT_TRUE(has(perf, "- memory traffic (the spec's byte count): 0.03277 GB/s")) << perf;
  EXPECT_TRUE(has(perf, "the lower bound at peak rates")) << perf;
  // A move to BM=32, which failed everywhere, is never suggested.
  const std::string next = section(p, "Next step");
  for (std::size_t at = next.find("- BM "); at != std::string::npos; at = next.find("- BM ", at + 1)) {
    const std::string line = next.substr(at, next.find('\n', at) - at);
    EXPECT_FALSE(has(line.substr(0, line.find(':')), "32")) << line;
  }
}

TEST_F(LlmPrompting, CollapsesOnlyPastOneHundredAndFiftyConfigs) {
  const std::vector<Result> results = recorded_run(176);
  const std::string p = refine(results);
  const std::string ran = section(p, "Configs that ran, fastest first");
  EXPECT_TRUE(has(ran, "#100  ")) << ran;
  EXPECT_FALSE(has(ran, "#101  ")) << ran;
  EXPECT_TRUE(has(ran, "slower configs,")) << ran;
  EXPECT_TRUE(has(ran, "they were measured too")) << ran;
}

TEST_F(LlmPrompting, BacksOffWhenAThirdOrMoreOfTheConfigsFailed) {
  // 1 of 4 failed: carry on; 1 of 3 failed: back off.
  std::vector<Result> results = {ok("BM=8", 1.0), ok("BN=4", 1.5), ok("", 2.0),
                                 failed("BM=32", "boom")};
  EXPECT_FALSE(has(section(refine(results), "Next step"), "Back off"));
  results.erase(results.begin() + 2);
  const std::string next = section(refine(results), "Next step");
  EXPECT_TRUE(has(next, "Back off: 1 of the 3 configs measured so far failed")) << next;
  EXPECT_TRUE(has(next, "smaller, safer values")) << next;
  EXPECT_TRUE(has(next, "Around anchor 1:")) << next;
}

TEST_F(LlmPrompting, ShowsResourceUsageOnlyWhenResultsCarryIt) {
  std::vector<Result> results = {ok("BM=8", 1.0), ok("BN=4", 1.5)};
  results[0].resources = {{"registers", 40}, {"shared_bytes", 4096}};
  const std::string p = refine(results);
  EXPECT_EQ(section(p, "Resource usage of the top configs (as the compiler reported it)"),
            "- #1 1 ms {\"BM\": 8}: registers=40, shared_bytes=4096\n");
  results[0].resources = {{"recorded_run_ms", 3}};  // bookkeeping, not resources
  EXPECT_FALSE(has(refine(results), "## Resource usage")) << refine(results);
}

TEST_F(LlmPrompting, RefinementWithNothingMeasuredStillBuildsAPrompt) {
  const std::string p = refine({});
  EXPECT_TRUE(has(p, "No config has run successfully yet")) << p;
  EXPECT_TRUE(has(p, "## Task")) << p;
}

TEST_F(LlmPrompting, SchemaIsValidJsonNamingEveryParameter) {
  const auto schema = nlohmann::json::parse(llm::response_json_schema(space));
  EXPECT_EQ(schema["required"], nlohmann::json::array({"configs"}));
  const auto& props = schema["properties"]["configs"]["items"]["properties"];
  for (const auto& p : space.params()) EXPECT_TRUE(props.contains(p.name)) << p.name;
  EXPECT_EQ(props["BM"]["enum"], nlohmann::json::array({8, 16, 32}));
  EXPECT_EQ(props["LOOP"]["enum"], nlohmann::json::array({"ijk", "ikj"}));
  EXPECT_EQ(props["PACK"]["type"], "boolean");
  EXPECT_EQ(props["BM"]["description"], "rows of C per tile");
  EXPECT_EQ(schema["properties"]["configs"]["items"]["additionalProperties"], false);
}

}  // namespace
}  // namespace tuna::testing
