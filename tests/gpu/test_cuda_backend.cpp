// The CUDA backend on a real GPU: device facts, a vector add through tuna::Evaluator (correct
// results against a reference kernel, times, registers and occupancy), and the backend driven
// directly (outputs equal to what the host computes from the same seeded inputs). Skips when
// no CUDA device is usable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "backends/common/argument_data.hpp"
#include "eval/correctness.hpp"
#include "support/device_check_agreement.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = R"(
template <int Ilp>
__global__ void vadd(const float* x, const float* y, float* z, int n, float alpha) {
  const int base = (blockIdx.x * blockDim.x) * Ilp + threadIdx.x;
#pragma unroll
  for (int k = 0; k < Ilp; ++k) {
    const int i = base + k * blockDim.x;
    if (i < n) z[i] = alpha * x[i] + y[i];
  }
}

extern "C" __global__ void vadd_reference(const float* x, const float* y, float* z, int n,
                                          float alpha) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    z[i] = alpha * x[i] + y[i];
}
)";

constexpr const char* kSpec = R"toml([kernel]
name = "vadd_gpu_test"
backend = "cuda"
source = "vadd.cu"
entry = "vadd<{ILP}>"

[problem]
N = 1000003

[params]
BLOCK = { values = [128, 256, 1024], default = 256 }
ILP = { values = [1, 2, 4], default = 1 }

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

std::string describe(const Result& r) {
  std::string text;
  for (const auto& [name, value] : r.resources) text += name + "=" + std::to_string(value) + " ";
  return text;
}

class CudaBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      make_backend("cuda")->device_info();  // opens the driver and the device
    } catch (const UserError& e) {
      GTEST_SKIP() << "no usable CUDA device: " << e.what();
    }
    dir_ = fs::temp_directory_path() /
           ("tuna_gpu_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "vadd.cu") << kSource;
    std::ofstream(dir_ / "spec.toml") << kSpec;
    spec_ = load_spec(dir_ / "spec.toml");
  }
  void TearDown() override {
    // Kept after a failure: the cubins, their manifests and the worker log explain it.
    std::error_code ignored;
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_, ignored);
  }

  EvaluatorOptions options() const {
    EvaluatorOptions o;
    o.exe = TUNA_BINARY;
    o.cache_dir = dir_ / "cache";
    o.compile_jobs = 2;
    o.run_timeout_s = 30;
    o.timing.budget_ms = 20;
    return o;
  }

  fs::path dir_;
  KernelSpec spec_;
};

TEST_F(CudaBackendTest, DeviceFactsDescribeTheGpu) {
  Evaluator evaluator(spec_, options());
  const DeviceInfo& d = evaluator.device();
  EXPECT_EQ(d.backend, "cuda");
  EXPECT_NE(d.id.find(d.name), std::string::npos);
  EXPECT_NE(d.id.find("NVRTC"), std::string::npos) << d.id;
  auto fact = [&](const char* name) {
    const Value* v = d.facts.find(name);
    EXPECT_NE(v, nullptr) << name;
    return v == nullptr ? 0.0 : v->as_double();
  };
  EXPECT_GE(fact("compute_capability"), 50);
  EXPECT_EQ(fact("compute_capability"),
            fact("compute_capability_major") * 10 + fact("compute_capability_minor"));
  EXPECT_GT(fact("sm_count"), 0);
  EXPECT_EQ(fact("warp_size"), 32);
  EXPECT_EQ(fact("max_threads_per_block"), 1024);
  EXPECT_GE(fact("shared_memory_per_block_optin"), fact("shared_memory_per_block"));
  EXPECT_GT(fact("l2_bytes"), 0);
  EXPECT_GT(fact("registers_per_sm"), 0);
  EXPECT_GT(fact("memory_bandwidth_gbps"), 100);
  EXPECT_GT(fact("peak_fp32_gflops"), 1000);
  EXPECT_GT(fact("total_memory_bytes"), 1e9);
}

TEST_F(CudaBackendTest, VectorAddThroughTheEvaluator) {
  Evaluator evaluator(spec_, options());
  std::vector<Config> configs = evaluator.space().enumerate_all();
  ASSERT_EQ(configs.size(), 9u);
  std::vector<Result> results = evaluator.evaluate(configs);
  for (const Result& r : results) {
    ASSERT_TRUE(r.ok()) << r.key << ": " << r.error_class << ": " << r.message;
    EXPECT_LE(r.max_abs_error, 1e-6) << r.key;
    EXPECT_GE(r.times_ms.size(), 5u) << r.key;
    EXPECT_GT(r.median_ms, 0) << r.key;
    EXPECT_LT(r.median_ms, 50) << r.key;
    ASSERT_TRUE(r.resources.count("registers")) << r.key << ": " << describe(r);
    EXPECT_GT(r.resources.at("registers"), 0) << r.key;
    ASSERT_TRUE(r.resources.count("occupancy")) << r.key << ": " << describe(r);
    EXPECT_GT(r.resources.at("occupancy"), 0) << r.key;
    EXPECT_LE(r.resources.at("occupancy"), 1) << r.key;
    // From ptxas, through the compile child and the artifact.
    ASSERT_TRUE(r.resources.count("spill_stores_bytes")) << r.key << ": " << describe(r);
    EXPECT_EQ(r.resources.at("spill_stores_bytes"), 0) << r.key;
  }
  // Timing again with an L2 flush between repetitions also works.
  TimingOptions flushed;
  flushed.flush_cache = true;
  flushed.budget_ms = 10;
  std::vector<Result> again = evaluator.retime({configs.front()}, flushed);
  ASSERT_TRUE(again.front().ok()) << again.front().message;
  EXPECT_GT(again.front().median_ms, 0);
}

TEST_F(CudaBackendTest, OutputsMatchTheHostComputation) {
  std::unique_ptr<Backend> backend = make_backend("cuda");
  DeviceInfo device = backend->device_info();
  Space space = spec_.make_space(device);
  Config config = space.parse_key("BLOCK=256,ILP=4");
  CompileOutcome compiled = backend->compile(spec_, space, config, device, dir_ / "cache");
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend->prepare(spec_, device, /*seed=*/7);
  backend->reset_outputs();
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;
  once.budget_ms = 0;
  RunOutcome run = backend->run(compiled.artifact, spec_, space, config, once);
  ASSERT_TRUE(run.ok) << run.error_class << ": " << run.message;
  ASSERT_EQ(run.times_ms.size(), 1u);
  std::vector<OutputBuffer> outputs = backend->read_outputs();
  ASSERT_EQ(outputs.size(), 1u);
  ASSERT_EQ(outputs[0].bytes.size(), 1000003u * 4);
  // The inputs are the host backend's: mt19937_64 seeded with seed + argument index.
  const auto uniform = [](std::uint64_t seed, std::size_t n) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    std::vector<float> v(n);
    for (float& e : v) e = static_cast<float>(dist(rng));
    return v;
  };
  std::vector<float> x = uniform(7 + 0, 1000003), y = uniform(7 + 1, 1000003);
  const float* z = reinterpret_cast<const float*>(outputs[0].bytes.data());
  for (std::size_t i = 0; i < x.size(); i += 997)
    ASSERT_FLOAT_EQ(z[i], 0.5f * x[i] + y[i]) << "element " << i;
  EXPECT_FLOAT_EQ(z[x.size() - 1], 0.5f * x.back() + y.back());
}

TEST_F(CudaBackendTest, CheckOnTheDeviceAgreesWithTheHostCheck) {
  std::unique_ptr<Backend> backend = make_backend("cuda");
  DeviceInfo device = backend->device_info();
  Space space = spec_.make_space(device);
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;
  once.budget_ms = 0;
  auto run = [&](const char* key) {
    const Config config = space.parse_key(key);
    CompileOutcome compiled = backend->compile(spec_, space, config, device, dir_ / "cache");
    ASSERT_TRUE(compiled.ok) << compiled.message;
    backend->reset_outputs();
    RunOutcome outcome = backend->run(compiled.artifact, spec_, space, config, once);
    ASSERT_TRUE(outcome.ok) << outcome.message;
  };
  backend->prepare(spec_, device, /*seed=*/3);
  testing::expect_device_check_agrees_with_host(
      *backend, [&](const std::string& key) { run(key.c_str()); }, "BLOCK=256,ILP=1",
      "BLOCK=1024,ILP=4", 1000003);
}

// Outputs are poisoned in place on the device (a memset of the dtype's poison word before each
// checked run): what the device holds afterwards is, byte for byte, the host's poison, for every
// width of word and an odd element count.
TEST_F(CudaBackendTest, OutputsOfEveryDtypeStartPoisonedOnTheDevice) {
  std::string spec_text = R"toml([kernel]
name = "poison_gpu_test"
backend = "cuda"
source = "vadd.cu"
entry = "vadd_reference"

[problem]
N = 1001

[params]
BLOCK = { values = [128], default = 128 }

[launch]
grid = ["1"]
block = ["BLOCK"]

[check]
reference = "none"
)toml";
  const std::vector<std::string> dtypes = {"f16", "f32", "f64", "i8", "i16", "i64", "u32"};
  for (const std::string& dtype : dtypes)
    spec_text += "\n[[args]]\nname = \"out_" + dtype + "\"\ntype = \"" + dtype +
                 "\"\ncount = \"N\"\nrole = \"output\"\n";
  std::ofstream(dir_ / "poison.toml") << spec_text;
  const KernelSpec spec = load_spec(dir_ / "poison.toml");
  std::unique_ptr<Backend> backend = make_backend("cuda");
  const DeviceInfo device = backend->device_info();
  backend->prepare(spec, device, /*seed=*/1);
  backend->reset_outputs();
  const std::vector<OutputBuffer> outputs = backend->read_outputs();
  ASSERT_EQ(outputs.size(), dtypes.size());
  for (std::size_t i = 0; i < dtypes.size(); ++i) {
    SCOPED_TRACE(dtypes[i]);
    const Dtype dtype = *dtype_from_name(dtypes[i]);
    std::vector<unsigned char> expected(1001 * dtype_size(dtype));
    backends::fill_poison(dtype, expected.data(), 1001);
    EXPECT_EQ(outputs[i].bytes, expected);
  }
}

}  // namespace
}  // namespace tuna
