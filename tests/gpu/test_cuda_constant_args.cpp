// Constant arguments (role = "constant") on a real GPU: the kernel reads __constant__ arrays that
// tuna fills from the arguments (cuModuleGetGlobal + cuMemcpyHtoD as each module is loaded), in
// the checked run and in the timed runs, for every module; a missing symbol and a symbol smaller
// than the data fail the config (not the worker) with messages that name them. Skips when no
// CUDA device is usable.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "support/temp_dir.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = R"(
__constant__ float d_filter[FILTER];
__constant__ int d_offset;

template <int Ilp>
__global__ void filtered(float* out, const float* in, int n) {
  const int base = blockIdx.x * blockDim.x * Ilp + threadIdx.x;
#pragma unroll
  for (int k = 0; k < Ilp; ++k) {
    const int i = base + k * blockDim.x;
    if (i < n) out[i] = d_filter[i % 16] * in[i] + d_offset;
  }
}
)";

constexpr const char* kSpec = R"toml([kernel]
name = "constant_filter_gpu_test"
backend = "cuda"
source = "filtered.cu"
entry = "filtered<{ILP}>"

[problem]
N = 100003

[params]
FILTER = { values = [16, 32, 8], default = 16 }
ILP = { values = [1, 2], default = 1 }

[[args]]
name = "out"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "in"
type = "f32"
count = "N"

[[args]]
name = "n"
type = "i32"
value = "N"

[[args]]
name = "filter"
type = "f32"
count = 16
role = "constant"
symbol = "d_filter"

[[args]]
name = "offset"
type = "i32"
count = 1
value = 7
role = "constant"
symbol = "d_offset"

[launch]
grid = ["ceil_div(N, 256 * ILP)"]
block = [256]
)toml";

constexpr std::int64_t kN = 100003;

class CudaConstantArgs : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      backend_ = make_backend("cuda");
      device_ = backend_->device_info();  // opens the driver and the device
    } catch (const UserError& e) {
      GTEST_SKIP() << "no usable CUDA device: " << e.what();
    }
    std::ofstream(dir_.path() / "filtered.cu") << kSource;
    std::ofstream(dir_.path() / "spec.toml") << kSpec;
    spec_ = load_spec(dir_.path() / "spec.toml");
    space_ = spec_.make_space(device_);
  }

  // out[i] = filter[i % 16] * in[i] + 7, from the inputs prepare() makes for `seed`.
  std::vector<float> expected_out(std::uint64_t seed) const {
    std::vector<float> in(kN), filter(16);
    backends::fill_initial(spec_.arguments[1], seed, 1, reinterpret_cast<unsigned char*>(in.data()),
                           kN);
    backends::fill_initial(spec_.arguments[3], seed, 3,
                           reinterpret_cast<unsigned char*>(filter.data()), 16);
    std::vector<float> out(kN);
    for (std::int64_t i = 0; i < kN; ++i) out[i] = filter[i % 16] * in[i] + 7.0f;
    return out;
  }

  RunOutcome run(const std::string& key, const TimingOptions& timing) {
    const Config config = space_.parse_key(key);
    const CompileOutcome compiled =
        backend_->compile(spec_, space_, config, device_, dir_.path() / "cache");
    EXPECT_TRUE(compiled.ok) << compiled.message;
    if (!compiled.ok) return {};
    backend_->reset_outputs();
    return backend_->run(compiled.artifact, spec_, space_, config, timing);
  }

  void expect_outputs(std::uint64_t seed) {
    const std::vector<OutputBuffer> outputs = backend_->read_outputs();
    ASSERT_EQ(outputs.size(), 1u);  // the constants are not read back
    ASSERT_EQ(outputs[0].bytes.size(), static_cast<std::size_t>(kN) * 4);
    std::vector<float> out(kN);
    std::memcpy(out.data(), outputs[0].bytes.data(), outputs[0].bytes.size());
    const std::vector<float> expected = expected_out(seed);
    for (std::int64_t i = 0; i < kN; ++i) ASSERT_FLOAT_EQ(out[i], expected[i]) << "element " << i;
  }

  testing::TempDir dir_{"tuna_gpu_constant"};
  std::unique_ptr<Backend> backend_;
  DeviceInfo device_;
  KernelSpec spec_;
  Space space_;
};

TEST_F(CudaConstantArgs, CheckedAndTimedRunsOfEveryModuleReadTheConstants) {
  backend_->prepare(spec_, device_, /*seed=*/5);
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;
  once.budget_ms = 0;
  RunOutcome outcome = run("FILTER=16,ILP=2", once);
  ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
  expect_outputs(5);

  // The same module again, timed: the constants were copied when it was loaded.
  TimingOptions timed;
  timed.budget_ms = 5;
  outcome = run("FILTER=16,ILP=2", timed);
  ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
  EXPECT_GE(outcome.times_ms.size(), 5u);
  expect_outputs(5);

  // Another module, with a larger symbol: the data fills its first elements.
  outcome = run("FILTER=32,ILP=1", once);
  ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
  expect_outputs(5);

  // A new preparation (another seed) fills freshly loaded modules with its own data.
  backend_->prepare(spec_, device_, /*seed=*/9);
  outcome = run("FILTER=16,ILP=2", once);
  ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
  expect_outputs(9);
}

TEST_F(CudaConstantArgs, ASymbolSmallerThanTheDataFailsTheConfigNamingBothSizes) {
  backend_->prepare(spec_, device_, 1);
  const RunOutcome outcome = run("FILTER=8,ILP=1", TimingOptions{});
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.fatal);
  EXPECT_EQ(outcome.error_class, "constant_size");
  for (const char* part : {"args.filter", "64 bytes (16 elements of f32)", "'d_filter'",
                           "holds 32 bytes", "at most 8 elements"})
    EXPECT_NE(outcome.message.find(part), std::string::npos) << part << " in " << outcome.message;
  // The worker goes on: a good config still runs.
  const RunOutcome good = run("FILTER=16,ILP=1", TimingOptions{});
  EXPECT_TRUE(good.ok) << good.error_class << ": " << good.message;
}

TEST_F(CudaConstantArgs, AMissingSymbolFailsTheConfigNamingIt) {
  spec_.arguments[3].symbol = "d_no_such_filter";
  backend_->prepare(spec_, device_, 1);
  const RunOutcome outcome = run("FILTER=16,ILP=1", TimingOptions{});
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.fatal);
  EXPECT_EQ(outcome.error_class, "constant_symbol");
  for (const char* part :
       {"args.filter", "no global 'd_no_such_filter'", "__constant__ float d_no_such_filter[16]"})
    EXPECT_NE(outcome.message.find(part), std::string::npos) << part << " in " << outcome.message;
}

TEST_F(CudaConstantArgs, ThroughTheEvaluator) {
  EvaluatorOptions options;
  options.exe = TUNA_BINARY;
  options.cache_dir = dir_.path() / "cache";
  options.compile_jobs = 2;
  options.run_timeout_s = 30;
  options.timing.budget_ms = 10;
  Evaluator evaluator(spec_, options);
  const std::vector<Config> configs = evaluator.space().enumerate_all();
  ASSERT_EQ(configs.size(), 6u);
  const std::vector<Result> results = evaluator.evaluate(configs);
  for (const Result& r : results) {
    if (r.key.find("FILTER=8") != std::string::npos) {
      EXPECT_EQ(r.status, Status::RuntimeError) << r.key << ": " << r.message;
      EXPECT_EQ(r.error_class, "constant_size") << r.key;
      continue;
    }
    EXPECT_EQ(r.status, Status::Ok) << r.key << ": " << r.error_class << ": " << r.message;
    EXPECT_LE(r.max_abs_error, 1e-5) << r.key;
    EXPECT_GE(r.times_ms.size(), 5u) << r.key;
  }
}

}  // namespace
}  // namespace tuna
