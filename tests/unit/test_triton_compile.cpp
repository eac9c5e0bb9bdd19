// The triton backend's compile side with the real Triton, which needs no GPU: a Python file's
// @triton.jit kernel compiled to a cubin for sm_90 with the launch Triton chose, the artifact
// cache, a config that does not compile recorded as such, and the errors no config escapes
// (no such kernel, no interpreter). The interpreter is $TUNA_TEST_TRITON_PYTHON, else
// $TUNA_PYTHON, else python3; the tests skip when it has no Triton (make test provides one:
// scripts/triton-venv.sh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/process.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/common/artifact_manifest.hpp"
#include "backends/triton/triton_compiler.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using triton::TritonCompiler;

std::string test_interpreter() {
  for (const char* name : {"TUNA_TEST_TRITON_PYTHON", "TUNA_PYTHON"})
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  return "python3";
}

bool has_triton(const std::string& python) {
  return run_process({python, "-c", "import triton"}, {.timeout_s = 120}).ok();
}

DeviceInfo h100() {
  DeviceInfo d;
  d.backend = "triton";
  d.name = "NVIDIA H100 80GB HBM3";
  d.id = "NVIDIA H100 80GB HBM3 | sm_90 | test";
  d.facts.set("compute_capability", std::int64_t{90});
  d.facts.set("warp_size", std::int64_t{32});
  d.facts.set("shared_memory_per_block_optin", std::int64_t{232448});
  d.facts.set("max_threads_per_block", std::int64_t{1024});
  d.facts.set("sm_count", std::int64_t{132});
  return d;
}

constexpr const char* kFaultyKernel = R"py(import triton
import triton.language as tl


@triton.jit
def scale(x_ptr, y_ptr, n, BLOCK: tl.constexpr, BAD: tl.constexpr):
    tl.static_assert(BAD == 0, "this config is refused by the kernel")
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    tl.store(y_ptr + offs, tl.load(x_ptr + offs, mask=mask) * 2.0, mask=mask)
)py";

constexpr const char* kFaultySpec = R"toml([kernel]
name = "scale"
backend = "triton"
source = "scale.py"
entry = "scale"

[problem]
N = 4096

[params]
BLOCK = { values = [128, 256], default = 256 }
BAD = { values = [0, 1], default = 0 }
num_warps = { values = [4], default = 4 }

[[args]]
name = "x"
type = "f32"
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
value = "N"

[launch]
grid = ["ceil_div(N, BLOCK)"]
)toml";

class TritonCompileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = test_interpreter();
    if (!has_triton(python_))
      GTEST_SKIP() << python_ << " has no Triton (set TUNA_TEST_TRITON_PYTHON)";
    ::setenv("TUNA_PYTHON", python_.c_str(), 1);
    dir_ = fs::temp_directory_path() / ("tuna_test_triton_c_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  KernelSpec faulty_spec(const std::string& entry = "scale") const {
    std::ofstream(dir_ / "scale.py") << kFaultyKernel;
    std::string text = kFaultySpec;
    text.replace(text.find("entry = \"scale\""), 15, "entry = \"" + entry + "\"");
    return parse_spec(text, dir_ / "spec.toml");
  }

  std::string python_;
  fs::path dir_;
};

TEST_F(TritonCompileTest, IdentityNamesTritonsVersion) {
  TritonCompiler compiler;
  EXPECT_TRUE(compiler.identity().starts_with("Triton 3.")) << compiler.identity();
  Env facts;
  compiler.add_facts(facts);
  EXPECT_NE(facts.find("triton_version"), nullptr);
}

TEST_F(TritonCompileTest, MatmulExampleCompilesToACubinWithTheLaunchTritonChose) {
  const KernelSpec spec = load_spec(fs::path(TUNA_SOURCE_DIR) / "examples/triton/matmul/spec.toml");
  const Space space = spec.make_space(h100());
  const Config config = space.default_config();
  TritonCompiler compiler;
  const CompileOutcome outcome = compiler.compile(spec, space, config, h100(), dir_ / "cache");
  ASSERT_TRUE(outcome.ok) << outcome.message << "\n" << outcome.log;
  EXPECT_FALSE(outcome.cached);
  std::ifstream cubin(outcome.artifact.path, std::ios::binary);
  char magic[4] = {};
  cubin.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4), "\x7f" "ELF");
  EXPECT_EQ(outcome.artifact.symbol, "matmul_kernel");
  const auto manifest = backends::read_manifest(outcome.artifact.path);
  ASSERT_TRUE(manifest.launch.has_value());
  const std::int64_t warps = config[space.index_of("num_warps")].as_int();
  EXPECT_EQ(manifest.launch->block_threads, 32 * warps);
  EXPECT_GT(manifest.launch->shared_memory_bytes, 0);  // the pipeline's buffers
  EXPECT_EQ(manifest.launch->arguments.size(), spec.arguments.size());
  EXPECT_EQ(outcome.artifact.resources.at("num_warps"), warps);

  const CompileOutcome again = compiler.compile(spec, space, config, h100(), dir_ / "cache");
  ASSERT_TRUE(again.ok);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.artifact.path, outcome.artifact.path);
}

TEST_F(TritonCompileTest, SoftmaxExampleCompiles) {
  const KernelSpec spec =
      load_spec(fs::path(TUNA_SOURCE_DIR) / "examples/triton/softmax/spec.toml");
  const Space space = spec.make_space(h100());
  TritonCompiler compiler;
  const CompileOutcome outcome =
      compiler.compile(spec, space, space.default_config(), h100(), dir_ / "cache");
  ASSERT_TRUE(outcome.ok) << outcome.message << "\n" << outcome.log;
}

TEST_F(TritonCompileTest, ConfigThatDoesNotCompileIsRecordedWithTritonsMessage) {
  const KernelSpec spec = faulty_spec();
  const Space space = spec.make_space(h100());
  TritonCompiler compiler;
  const CompileOutcome good =
      compiler.compile(spec, space, space.parse_key("BAD=0"), h100(), dir_ / "cache");
  ASSERT_TRUE(good.ok) << good.message << "\n" << good.log;
  const CompileOutcome bad =
      compiler.compile(spec, space, space.parse_key("BAD=1"), h100(), dir_ / "cache");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error_class, "compile_error");
  EXPECT_NE(bad.message.find("refused by the kernel"), std::string::npos) << bad.message;
  EXPECT_EQ(bad.message.find('\n'), std::string::npos) << "one line: " << bad.message;
}

TEST_F(TritonCompileTest, MissingKernelIsAUserErrorListingTheKernelsOfTheFile) {
  const KernelSpec spec = faulty_spec("scael");
  const Space space = spec.make_space(h100());
  TritonCompiler compiler;
  try {
    compiler.compile(spec, space, space.default_config(), h100(), dir_ / "cache");
    ADD_FAILURE() << "compiled a kernel the file does not have";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("scael"), std::string::npos) << message;
    EXPECT_NE(message.find("scale"), std::string::npos) << message;
  }
}

TEST_F(TritonCompileTest, MissingInterpreterIsAUserErrorNamingTunaPython) {
  const KernelSpec spec = faulty_spec();
  const Space space = spec.make_space(h100());
  ::setenv("TUNA_PYTHON", "/nonexistent/python3", 1);
  TritonCompiler compiler;
  try {
    compiler.compile(spec, space, space.default_config(), h100(), dir_ / "cache");
    ADD_FAILURE() << "compiled without an interpreter";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("TUNA_PYTHON"), std::string::npos) << e.what();
  }
  ::setenv("TUNA_PYTHON", python_.c_str(), 1);
}

}  // namespace
}  // namespace tuna

#else
TEST(TritonCompile, SkippedWithoutTheCudaToolkit) { GTEST_SKIP() << "built without CUDA"; }
#endif
