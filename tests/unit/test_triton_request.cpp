// The triton backend's two ends that need no Python: the compile request built from a spec and
// a config (what triton_compile.py reads), the answer parsed from the helper's output (what it
// printed, garbage included), the launch kept in the artifact's manifest, and the spec rules of
// the backend (no launch.block, no reference kernel).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/common/artifact_manifest.hpp"
#include "backends/triton/triton_request.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using triton::CompileAnswer;

constexpr const char* kSpec = R"toml([kernel]
name = "add"
backend = "triton"
source = "add.py"
entry = "add_kernel"

[problem]
N = 4096

[params]
BLOCK = { values = [256, 1024], default = 1024 }
num_warps = { values = [4, 8], default = 4 }
num_stages = { values = [1, 2], default = 2 }

[[args]]
name = "x"
type = "f16"
count = "N"
role = "input"

[[args]]
name = "y"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "n"
type = "i32"
value = "N / 2"

[[args]]
name = "scale"
type = "f32"
value = "0.5"

[launch]
grid = ["ceil_div(N, BLOCK)"]
)toml";

class TritonSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tuna_test_triton_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "add.py") << "# the kernel's file (never run here)\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  KernelSpec spec(const std::string& text = kSpec) const {
    return parse_spec(text, dir_ / "spec.toml");
  }
  static DeviceInfo h100() {
    DeviceInfo d;
    d.backend = "triton";
    d.name = "NVIDIA H100";
    d.id = "NVIDIA H100 | sm_90 | Triton 3.6.0";
    d.facts.set("compute_capability", std::int64_t{90});
    d.facts.set("warp_size", std::int64_t{32});
    d.facts.set("shared_memory_per_block_optin", std::int64_t{232448});
    return d;
  }
  std::string error_of(const std::string& text) const {
    try {
      spec(text);
    } catch (const UserError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(TritonSpecTest, RequestSplitsLaunchOptionsFromConstexprsAndEvaluatesScalars) {
  const KernelSpec s = spec();
  const Space space = s.make_space(h100());
  const Config config = space.parse_key("BLOCK=256,num_warps=8,num_stages=1");
  const triton::CompileRequest request =
      triton::compile_request(s, space, config, h100(), "/tmp/out.cubin");
  const json& j = request.json;
  EXPECT_EQ(j["query"], "compile");
  EXPECT_EQ(j["kernel"], "add_kernel");
  EXPECT_EQ(j["source"], (dir_ / "add.py").string());
  EXPECT_EQ(j["cubin"], "/tmp/out.cubin");
  EXPECT_EQ(j["constexprs"], json({{"BLOCK", 256}, {"N", 4096}}));
  EXPECT_EQ(j["options"], json({{"num_warps", 8}, {"num_stages", 1}}));
  EXPECT_EQ(j["target"],
            json({{"backend", "cuda"}, {"arch", 90}, {"warp_size", 32}, {"max_shared", 232448}}));
  ASSERT_EQ(j["args"].size(), 4u);
  EXPECT_EQ(j["args"][0], json({{"name", "x"}, {"type", "f16"}, {"pointer", true}}));
  EXPECT_EQ(j["args"][1]["type"], "f32");
  EXPECT_EQ(j["args"][2], json({{"name", "n"}, {"type", "i32"}, {"pointer", false}, {"value", 2048}}));
  EXPECT_EQ(j["args"][3]["value"], 0.5);
}

TEST_F(TritonSpecTest, CacheKeyNamesNeitherTheOutputNorTheKernelsFolder) {
  const KernelSpec s = spec();
  const Space space = s.make_space(h100());
  const Config config = space.default_config();
  const auto a = triton::compile_request(s, space, config, h100(), "/a/1.cubin");
  const auto b = triton::compile_request(s, space, config, h100(), "/b/2.cubin");
  EXPECT_EQ(a.cache_key_text, b.cache_key_text);
  EXPECT_EQ(a.cache_key_text.find(dir_.string()), std::string::npos);
  const auto other = triton::compile_request(s, space, space.parse_key("BLOCK=256"), h100(), "");
  EXPECT_NE(a.cache_key_text, other.cache_key_text);
}

TEST(TritonAnswer, CompiledAnswerGivesTheLaunchTritonChose) {
  const std::string output =
      "some warning Triton printed\n"
      R"({"ok": true, "name": "add_kernel", "num_warps": 8, "num_stages": 2, "shared": 49152,)"
      R"( "runtime_args": [0, 1, 2, 3], "scratch": [{"kind": "global", "size": 0, "align": 1},)"
      R"( {"kind": "profile", "size": 64, "align": 8}], "compile_ms": 812.5})"
      "\n";
  const CompileAnswer a = triton::parse_answer(output, 4);
  ASSERT_EQ(a.kind, CompileAnswer::Kind::Compiled) << a.message;
  EXPECT_EQ(a.symbol, "add_kernel");
  EXPECT_EQ(a.launch.block_threads, 256);
  EXPECT_EQ(a.launch.shared_memory_bytes, 49152);
  EXPECT_EQ(a.launch.arguments, (std::vector<std::size_t>{0, 1, 2, 3}));
  ASSERT_EQ(a.launch.scratch.size(), 2u);
  EXPECT_EQ(a.launch.scratch[0].bytes_per_program, 0);
  EXPECT_EQ(a.launch.scratch[1].bytes_per_program, 64);
  EXPECT_EQ(a.launch.scratch[1].align, 8);
  EXPECT_EQ(a.resources.at("num_warps"), 8);
  EXPECT_EQ(a.resources.at("triton_shared_bytes"), 49152);
}

TEST(TritonAnswer, CompileErrorIsThisConfigsFailure) {
  const CompileAnswer a = triton::parse_answer(
      R"({"ok": false, "fatal": false, "error_class": "out_of_resources", "message": "out of resource: shared memory, Required: 262144, Hardware limit: 232448", "log": "Traceback ..."})",
      3);
  EXPECT_EQ(a.kind, CompileAnswer::Kind::Failed);
  EXPECT_EQ(a.error_class, "out_of_resources");
  EXPECT_NE(a.message.find("Hardware limit"), std::string::npos);
  EXPECT_EQ(a.log, "Traceback ...");
}

TEST(TritonAnswer, ClustersOfProgramsAreRecordedAsUnsupported) {
  const CompileAnswer a = triton::parse_answer(
      R"({"ok": true, "name": "k", "num_warps": 4, "num_ctas": 2, "shared": 0, "runtime_args": [0], "scratch": []})",
      1);
  EXPECT_EQ(a.kind, CompileAnswer::Kind::Failed);
  EXPECT_EQ(a.error_class, "unsupported");
  EXPECT_NE(a.message.find("num_ctas = 2"), std::string::npos) << a.message;
}

TEST(TritonAnswer, FatalAnswerCarriesItsFix) {
  const CompileAnswer a = triton::parse_answer(
      R"({"ok": false, "fatal": true, "message": "kernel.py has no @triton.jit function 'mm'", "fix": "Set entry to one of: matmul_kernel"})",
      3);
  EXPECT_EQ(a.kind, CompileAnswer::Kind::Fatal);
  EXPECT_EQ(a.fix, "Set entry to one of: matmul_kernel");
}

TEST(TritonAnswer, OutputWithoutAnAnswerIsACrashQuotingTheLastLine) {
  const CompileAnswer a = triton::parse_answer(
      "Traceback (most recent call last):\n  File \"<string>\", line 3\nMemoryError\n\n", 2);
  EXPECT_EQ(a.kind, CompileAnswer::Kind::Failed);
  EXPECT_EQ(a.error_class, "compile_crash");
  EXPECT_NE(a.message.find("MemoryError"), std::string::npos) << a.message;
}

TEST(TritonAnswer, AnswerOfTheWrongShapeIsACrashNotAnException) {
  for (const char* bad : {
           R"({"ok": true})",
           R"({"ok": true, "name": "k", "num_warps": "eight", "shared": 0, "runtime_args": [], "scratch": []})",
           R"({"ok": true, "name": "k", "num_warps": 4, "shared": 0, "runtime_args": [7], "scratch": []})",
           R"({"ok": true, "name": "k", "num_warps": -4, "shared": 0, "runtime_args": [], "scratch": []})",
           R"({"ok": true, "name": "", "num_warps": 4, "shared": 0, "runtime_args": [], "scratch": []})",
           R"({"ok": "yes", "name": "k", "num_warps": 4, "shared": 0, "runtime_args": [], "scratch": []})",
           R"({"ok": true, "name": "k", "num_warps": 4, "num_ctas": "two", "shared": 0, "runtime_args": [], "scratch": []})",
           R"({"ok": true, "name": "k", "num_warps": 4, "shared": 0, "runtime_args": [], "scratch": [{"size": -8}]})",
       }) {
    const CompileAnswer a = triton::parse_answer(bad, 2);
    EXPECT_EQ(a.kind, CompileAnswer::Kind::Failed) << bad;
    EXPECT_EQ(a.error_class, "compile_crash") << bad;
  }
}

TEST(TritonAnswer, AnswerIsTheLastJsonLineEvenWithOutputAfterIt) {
  const std::string output =
      R"({"ok": false, "message": "an earlier line"})"
      "\n"
      R"({"ok": true, "name": "k", "num_warps": 4, "shared": 0, "runtime_args": [0], "scratch": []})"
      "\nException ignored in: <function at exit>\n";
  const CompileAnswer a = triton::parse_answer(output, 1);
  EXPECT_EQ(a.kind, CompileAnswer::Kind::Compiled) << a.message;
  EXPECT_EQ(a.symbol, "k");
}

TEST(TritonAnswer, VersionAnswerGivesTheVersionsOrWhyNot) {
  const triton::VersionAnswer ok = triton::parse_version(
      "a warning\n" R"({"ok": true, "triton_version": "3.6.0", "python": "3.12.3", "executable": "/usr/bin/python3"})");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.triton, "3.6.0");
  EXPECT_EQ(ok.python, "3.12.3");
  const triton::VersionAnswer missing = triton::parse_version(
      R"({"ok": false, "fatal": true, "message": "No module named 'triton'", "fix": "pip install triton"})");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.problem, "No module named 'triton'. pip install triton");
  const triton::VersionAnswer odd = triton::parse_version(R"({"ok": "yes", "triton_version": 3})");
  EXPECT_FALSE(odd.ok);
  const triton::VersionAnswer crashed =
      triton::parse_version("Traceback (most recent call last):\nSyntaxError: bad\n");
  EXPECT_FALSE(crashed.ok);
  EXPECT_NE(crashed.problem.find("SyntaxError: bad"), std::string::npos) << crashed.problem;
}

TEST(TritonManifest, LaunchSurvivesTheRoundTripThroughTheCache) {
  const fs::path dir = fs::temp_directory_path() / ("tuna_test_triton_m_" + std::to_string(::getpid()));
  backends::ArtifactManifest manifest;
  manifest.entry = "matmul_kernel";
  backends::CompilerLaunch launch;
  launch.block_threads = 256;
  launch.shared_memory_bytes = 98304;
  launch.arguments = {0, 1, 2, 4};
  launch.scratch = {{0, 1}, {128, 16}};
  manifest.launch = launch;
  const auto outcome = backends::store_artifact(dir / "h.cubin", "h", manifest, "cubin bytes",
                                                std::chrono::steady_clock::now());
  ASSERT_TRUE(outcome.ok);
  const backends::ArtifactManifest back = backends::read_manifest(dir / "h.cubin");
  ASSERT_TRUE(back.launch.has_value());
  EXPECT_EQ(back.launch->block_threads, 256);
  EXPECT_EQ(back.launch->shared_memory_bytes, 98304);
  EXPECT_EQ(back.launch->arguments, launch.arguments);
  ASSERT_EQ(back.launch->scratch.size(), 2u);
  EXPECT_EQ(back.launch->scratch[1].bytes_per_program, 128);
  EXPECT_EQ(back.launch->scratch[1].align, 16);
  // A CUDA C++ artifact has none.
  backends::ArtifactManifest plain;
  plain.entry = "k";
  backends::store_artifact(dir / "p.cubin", "p", plain, "x", std::chrono::steady_clock::now());
  EXPECT_FALSE(backends::read_manifest(dir / "p.cubin").launch.has_value());
  // A damaged launch is a user error that says what to do, not a crash.
  std::ofstream(dir / "h.json") << R"({"entry": "k", "launch": {"block_threads": "x"}})";
  try {
    backends::read_manifest(dir / "h.cubin");
    ADD_FAILURE() << "a damaged manifest was read";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("Delete the artifact cache folder"), std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_F(TritonSpecTest, LaunchBlockIsRefusedWithTheWayToTuneIt) {
  std::string text = kSpec;
  text.replace(text.find("grid = "), 0, "block = [\"128\"]\n");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("launch.block"), std::string::npos) << error;
  EXPECT_NE(error.find("num_warps"), std::string::npos) << error;
}

TEST_F(TritonSpecTest, ReferenceKernelIsRefusedWithTheAlternatives) {
  const std::string error =
      error_of(std::string(kSpec) + "\n[check]\nreference = \"kernel\"\nkernel = \"ref\"\n");
  EXPECT_NE(error.find("no reference kernels"), std::string::npos) << error;
  EXPECT_NE(error.find("reference = \"default\""), std::string::npos) << error;
}

}  // namespace
}  // namespace tuna

#else
TEST(TritonRequest, SkippedWithoutTheCudaToolkit) { GTEST_SKIP() << "built without CUDA"; }
#endif
