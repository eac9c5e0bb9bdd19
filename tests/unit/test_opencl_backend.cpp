// The OpenCL backend on the first OpenCL device (PoCL in CI): device facts and their CUDA
// aliases, the compile (defines, build-log errors pointing at the user's file, the binary
// cache), a vector add through tuna::Evaluator (correct against a reference kernel, times,
// resources), outputs equal to what the host computes, and both launch conventions. Skips only
// when no OpenCL device exists.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "eval/correctness.hpp"
#include "support/device_check_agreement.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"
#if defined(TUNA_HAVE_OPENCL)
#include "backends/opencl/build_log.hpp"
#include "backends/opencl/device_check.hpp"
#include "backends/opencl/opencl_device.hpp"
#endif

namespace tuna {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = R"(
__kernel void vadd(__global const float* x, __global const float* y, __global float* z, int n,
                   float alpha) {
  const int base = get_group_id(0) * get_local_size(0) * ILP + get_local_id(0);
  for (int k = 0; k < ILP; ++k) {
    const int i = base + k * get_local_size(0);
    if (i < n) z[i] = alpha * x[i] + y[i];
  }
#ifdef BROKEN
  not_declared = 3;
#endif
}

__kernel void vadd_reference(__global const float* x, __global const float* y,
                             __global float* z, int n, float alpha) {
  for (int i = get_global_id(0); i < n; i += get_global_size(0)) z[i] = alpha * x[i] + y[i];
}
)";

constexpr const char* kSpec = R"toml([kernel]
name = "vadd_opencl_test"
backend = "opencl"
source = "vadd.cl"
entry = "vadd"

[problem]
N = 100003

[params]
BLOCK = { values = [16, 64], default = 64 }
ILP = { values = [1, 4], default = 1 }

[[args]]
name = "x"
type = "f32"
count = "N"

[[args]]
name = "y"
type = "f32"
count = "N"

[[args]]
name = "z"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "n"
type = "i32"
value = "N"

[[args]]
name = "alpha"
type = "f32"
value = "0.5"

[launch]
grid = ["ceil_div(N, BLOCK * ILP)"]
block = ["BLOCK"]

[check]
reference = "kernel"
kernel = "vadd_reference"
atol = 1e-6
rtol = 1e-6
)toml";

class OpenClBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if !defined(TUNA_HAVE_OPENCL)
    GTEST_SKIP() << "this tuna was built without the OpenCL backend (no CL/cl.h)";
#endif
    try {
      make_backend("opencl");
    } catch (const UserError& e) {
      GTEST_SKIP() << "no OpenCL device: " << e.what();
    }
    dir_ = fs::temp_directory_path() /
           ("tuna_opencl_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "vadd.cl") << kSource;
    std::ofstream(dir_ / "spec.toml") << kSpec;
    spec_ = load_spec(dir_ / "spec.toml");
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_, ignored);
  }

  EvaluatorOptions options() const {
    EvaluatorOptions o;
    o.exe = TUNA_BINARY;
    o.cache_dir = dir_ / "cache";
    o.compile_jobs = 2;
    o.run_timeout_s = 60;
    o.timing.budget_ms = 10;
    return o;
  }

  static TimingOptions once() {
    TimingOptions t;
    t.warmup = 0;
    t.min_repetitions = t.max_repetitions = 1;
    t.budget_ms = 0;
    return t;
  }

  fs::path dir_;
  KernelSpec spec_;
};

double fact(const DeviceInfo& d, const char* name) {
  const Value* v = d.facts.find(name);
  EXPECT_NE(v, nullptr) << name;
  return v == nullptr || v->is_string() ? -1.0 : v->as_double();
}

TEST_F(OpenClBackendTest, DeviceFactsAndTheirCudaAliases) {
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo d = backend->device_info();
  EXPECT_EQ(d.backend, "opencl");
  EXPECT_FALSE(d.name.empty());
  EXPECT_NE(d.id.find(d.name), std::string::npos) << d.id;
  EXPECT_NE(d.id.find("platform"), std::string::npos) << d.id;
  EXPECT_NE(d.id.find("driver"), std::string::npos) << d.id;
  for (const char* text : {"vendor", "driver_version", "opencl_version", "device_type"}) {
    const Value* v = d.facts.find(text);
    ASSERT_NE(v, nullptr) << text;
    EXPECT_FALSE(v->to_string().empty()) << text;
  }
  EXPECT_GT(fact(d, "compute_units"), 0);
  EXPECT_GT(fact(d, "max_work_group_size"), 0);
  EXPECT_GT(fact(d, "max_work_item_size_x"), 0);
  EXPECT_GT(fact(d, "local_memory_bytes"), 0);
  EXPECT_GT(fact(d, "global_memory_bytes"), 0);
  EXPECT_GE(fact(d, "preferred_vector_width_float"), 1);
  EXPECT_EQ(fact(d, "max_threads_per_block"), fact(d, "max_work_group_size"));
  EXPECT_EQ(fact(d, "shared_memory_per_block"), fact(d, "local_memory_bytes"));
  EXPECT_EQ(fact(d, "sm_count"), fact(d, "compute_units"));
  EXPECT_EQ(fact(d, "max_block_dim_x"), fact(d, "max_work_item_size_x"));
  EXPECT_GE(fact(d, "warp_size"), 1);
}

TEST_F(OpenClBackendTest, CompileCachesTheBinaryAndReportsResources) {
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo device = backend->device_info();
  const Space space = spec_.make_space(device);
  const Config config = space.parse_key("BLOCK=64,ILP=4");
  CompileOutcome first = backend->compile(spec_, space, config, device, dir_ / "cache");
  ASSERT_TRUE(first.ok) << first.message << "\n" << first.log;
  EXPECT_FALSE(first.cached);
  EXPECT_TRUE(fs::exists(first.artifact.path));
  EXPECT_EQ(first.artifact.symbol, "vadd");
  EXPECT_GT(first.artifact.resources.at("work_group_size_limit"), 0);
  EXPECT_TRUE(first.artifact.resources.count("private_memory_bytes"));
  CompileOutcome again = backend->compile(spec_, space, config, device, dir_ / "cache");
  ASSERT_TRUE(again.ok);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.artifact.path, first.artifact.path);
  // Another config is another program.
  CompileOutcome other =
      backend->compile(spec_, space, space.parse_key("BLOCK=64,ILP=1"), device, dir_ / "cache");
  ASSERT_TRUE(other.ok);
  EXPECT_NE(other.artifact.hash, first.artifact.hash);
}

TEST_F(OpenClBackendTest, ABuildErrorQuotesTheUsersFileAndLine) {
  spec_.compiler_flags.push_back("-DBROKEN");
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo device = backend->device_info();
  const Space space = spec_.make_space(device);
  CompileOutcome broken =
      backend->compile(spec_, space, space.default_config(), device, dir_ / "cache");
  ASSERT_FALSE(broken.ok);
  EXPECT_EQ(broken.error_class, "compile_error");
  // The identifier is on line 10 of vadd.cl (the source starts with a newline).
  EXPECT_NE(broken.message.find("vadd.cl:10:"), std::string::npos) << broken.message;
  EXPECT_NE(broken.message.find("not_declared"), std::string::npos) << broken.message;
  EXPECT_NE(broken.log.find("not_declared"), std::string::npos);
}

TEST_F(OpenClBackendTest, VectorAddThroughTheEvaluator) {
  Evaluator evaluator(spec_, options());
  std::vector<Config> configs = evaluator.space().enumerate_all();
  ASSERT_EQ(configs.size(), 4u);
  std::vector<Result> results = evaluator.evaluate(configs);
  for (const Result& r : results) {
    ASSERT_TRUE(r.ok()) << r.key << ": " << r.error_class << ": " << r.message;
    EXPECT_LE(r.max_abs_error, 1e-6) << r.key;
    EXPECT_GE(r.times_ms.size(), 5u) << r.key;
    EXPECT_GT(r.median_ms, 0) << r.key;
    ASSERT_TRUE(r.resources.count("work_group_size_limit")) << r.key;
    EXPECT_GT(r.resources.at("work_group_size_limit"), 0) << r.key;
    ASSERT_TRUE(r.resources.count("local_memory_bytes")) << r.key;
    ASSERT_TRUE(r.resources.count("preferred_work_group_multiple")) << r.key;
  }
  TimingOptions flushed;
  flushed.flush_cache = true;
  flushed.budget_ms = 5;
  std::vector<Result> again = evaluator.retime({configs.front()}, flushed);
  ASSERT_TRUE(again.front().ok()) << again.front().message;
}

// The host generator's inputs for seed 7: mt19937_64 seeded with seed + argument index.
std::vector<float> uniform(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<float> v(n);
  for (float& e : v) e = static_cast<float>(dist(rng));
  return v;
}

void expect_vadd(const std::vector<OutputBuffer>& outputs, std::size_t n) {
  ASSERT_EQ(outputs.size(), 1u);
  ASSERT_EQ(outputs[0].bytes.size(), n * 4);
  const std::vector<float> x = uniform(7, n), y = uniform(8, n);
  const float* z = reinterpret_cast<const float*>(outputs[0].bytes.data());
  for (std::size_t i = 0; i < n; ++i) ASSERT_FLOAT_EQ(z[i], 0.5f * x[i] + y[i]) << i;
}

TEST_F(OpenClBackendTest, OutputsMatchTheHostAndPoisonIsRestored) {
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo device = backend->device_info();
  const Space space = spec_.make_space(device);
  const Config config = space.parse_key("BLOCK=16,ILP=4");
  CompileOutcome compiled = backend->compile(spec_, space, config, device, dir_ / "cache");
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend->prepare(spec_, device, /*seed=*/7);
  backend->reset_outputs();
  const std::vector<OutputBuffer> poisoned = backend->read_outputs();
  EXPECT_TRUE(std::isnan(reinterpret_cast<const float*>(poisoned[0].bytes.data())[0]));
  RunOutcome run = backend->run(compiled.artifact, spec_, space, config, once());
  ASSERT_TRUE(run.ok) << run.error_class << ": " << run.message;
  ASSERT_EQ(run.times_ms.size(), 1u);
  expect_vadd(backend->read_outputs(), 100003);
}

// On a GPU with doubles and 64-bit atomics, the reference is kept on the device and every
// checked run is compared there: the verdict, the error and the message are the host check's.
// A CPU device (PoCL in CI) checks on the host, where it is faster: the kernels themselves are
// tested there by test_opencl_device_check.
TEST_F(OpenClBackendTest, CheckOnTheDeviceAgreesWithTheHostCheck) {
#if defined(TUNA_HAVE_OPENCL)
  {
    opencl::OpenClApi api;
    const opencl::DeviceChoice choice = opencl::select_device(api);
    if (!opencl::worth_checking_on(api, choice.device))
      GTEST_SKIP() << "a CPU device: its outputs are checked on the host";
    const std::string missing = opencl::device_check_unsupported(api, choice.device);
    if (!missing.empty()) GTEST_SKIP() << "no device check here: " << missing;
  }
#endif
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo device = backend->device_info();
  const Space space = spec_.make_space(device);
  auto run = [&](const std::string& key) {
    const Config config = space.parse_key(key);
    CompileOutcome compiled = backend->compile(spec_, space, config, device, dir_ / "cache");
    ASSERT_TRUE(compiled.ok) << compiled.message;
    backend->reset_outputs();
    RunOutcome outcome = backend->run(compiled.artifact, spec_, space, config, once());
    ASSERT_TRUE(outcome.ok) << outcome.message;
  };
  backend->prepare(spec_, device, /*seed=*/3);
  testing::expect_device_check_agrees_with_host(*backend, run, "BLOCK=16,ILP=1", "BLOCK=64,ILP=4",
                                                100003);
}

TEST_F(OpenClBackendTest, TheGlobalConventionTakesTheGlobalSizeAsWritten) {
  spec_.entry = "vadd_reference";
  spec_.check.reference = Reference::None;
  spec_.launch.convention = LaunchConvention::Global;
  spec_.launch.grid[0] = Expr::parse("BLOCK * 8");  // fewer work-items than elements: grid-stride
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo device = backend->device_info();
  const Space space = spec_.make_space(device);
  const Config config = space.parse_key("BLOCK=16,ILP=1");
  const LaunchDims dims = launch_dims(spec_.launch, spec_.env_for(space, config, device));
  EXPECT_EQ(dims.global[0], 128);
  EXPECT_EQ(dims.grid[0], 8);
  CompileOutcome compiled = backend->compile(spec_, space, config, device, dir_ / "cache");
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend->prepare(spec_, device, 7);
  backend->reset_outputs();
  RunOutcome run = backend->run(compiled.artifact, spec_, space, config, once());
  ASSERT_TRUE(run.ok) << run.error_class << ": " << run.message;
  expect_vadd(backend->read_outputs(), 100003);
}

TEST_F(OpenClBackendTest, ATooLargeWorkGroupIsARuntimeErrorNamedByOpenCl) {
  spec_.launch.block[0] = Expr::parse("BLOCK * 100000");
  spec_.launch.grid[0] = Expr::constant(1);
  std::unique_ptr<Backend> backend = make_backend("opencl");
  const DeviceInfo device = backend->device_info();
  const Space space = spec_.make_space(device);
  const Config config = space.default_config();
  CompileOutcome compiled = backend->compile(spec_, space, config, device, dir_ / "cache");
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend->prepare(spec_, device, 7);
  backend->reset_outputs();
  RunOutcome run = backend->run(compiled.artifact, spec_, space, config, once());
  EXPECT_FALSE(run.ok);
  EXPECT_FALSE(run.fatal);
  EXPECT_EQ(run.error_class, "CL_INVALID_WORK_GROUP_SIZE") << run.message;
  // The worker goes on: the next config runs.
  const Config good = space.parse_key("BLOCK=16,ILP=1");
  spec_.launch.block[0] = Expr::parse("BLOCK");
  spec_.launch.grid[0] = Expr::parse("ceil_div(N, BLOCK * ILP)");
  CompileOutcome fine = backend->compile(spec_, space, good, device, dir_ / "cache");
  ASSERT_TRUE(fine.ok);
  RunOutcome next = backend->run(fine.artifact, spec_, space, good, once());
  EXPECT_TRUE(next.ok) << next.message;
}

#if defined(TUNA_HAVE_OPENCL)
TEST(OpenClBuildLog, FirstErrorLineNamesTheUsersFile) {
  EXPECT_EQ(opencl::first_error_line("<source>:3:5: error: use of undeclared identifier 'x'\n"
                                     "  x = 1;\n",
                                     "k.cl"),
            "k.cl:3:5: error: use of undeclared identifier 'x'");
  EXPECT_EQ(opencl::first_error_line("warning: unused\n/tmp/a/b/k.cl:7:1: error: bad\n", "k.cl"),
            "k.cl:7:1: error: bad");
  // PoCL 3.1 names its cache's temporary copy and puts "error:" first.
  EXPECT_EQ(opencl::first_error_line(
                "error: /root/.cache/pocl/kcache/tempfile_7PUTZn.cl:10:3: use of undeclared "
                "identifier 'not_declared'\n",
                "vadd.cl"),
            "vadd.cl:10:3: error: use of undeclared identifier 'not_declared'");
  // NVIDIA's driver calls the source <kernel>.
  EXPECT_EQ(opencl::first_error_line("<kernel>:10:3: error: use of undeclared identifier 'q'\n",
                                     "vadd.cl"),
            "vadd.cl:10:3: error: use of undeclared identifier 'q'");
  EXPECT_EQ(opencl::first_error_line("", "k.cl"), "");
}
#endif

}  // namespace
}  // namespace tuna
