// The CUDA fault kernel (tests/faults/cuda): every way a config can fail on a GPU is recorded
// with the right status and error class, a config that breaks the CUDA context costs only its
// own bench worker, and the run finishes with a correct answer. Skips without a CUDA device.
#include <map>
#include <set>

#include "gpu/fault_expectations.hpp"
#include "integration/cli_runner.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

// From tests/faults/cuda/README.md.
const std::map<int, ExpectedFailure> kExpected = {
    {0, {Status::Ok, ""}},
    {1, {Status::Ok, ""}},
    {2, {Status::RuntimeError, "CUDA_ERROR_ILLEGAL_ADDRESS"}},
    {3, {Status::RuntimeError, "CUDA_ERROR_ILLEGAL_ADDRESS"}},
    {4, {Status::RuntimeError, "CUDA_ERROR_LAUNCH_FAILED"}},
    {5, {Status::Timeout, "timeout"}},
    {6, {Status::CompileError, "compile_error"}},
    {7, {Status::WrongResult, "mismatch"}},
    {8, {Status::WrongResult, "mismatch"}},
    {9, {Status::RuntimeError, "CUDA_ERROR_INVALID_VALUE"}},
    {10, {Status::RuntimeError, "shared_memory_limit"}},
    {11, {Status::RuntimeError, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"}},
};

}  // namespace

TEST(CudaFaults, EveryFailureIsRecordedWithItsClassAndTheRunFinishes) {
  if (std::string why = backend_unavailable("cuda"); !why.empty()) GTEST_SKIP() << why;
  TunaSandbox box("cuda-faults");
  std::string spec = source_path("tests/faults/cuda/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--run-timeout", "3", "--timing-budget", "20"},
                              /*timeout_s=*/240);
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;

  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), kExpected.size()) << "a result was lost\n" << run.output;
  for (const Result& r : results) {
    int mode = static_cast<int>(r.config[0].as_int());
    const ExpectedFailure& want = kExpected.at(mode);
    EXPECT_EQ(status_name(r.status), std::string(status_name(want.status)))
        << r.key << ": " << r.error_class << ": " << r.message;
    EXPECT_EQ(r.error_class, want.error_class) << r.key << ": " << r.message;
    if (!r.ok()) EXPECT_FALSE(r.message.empty()) << r.key << " has no message";
    if (r.ok()) {
      EXPECT_GT(r.median_ms, 0) << r.key;
      EXPECT_GT(r.resources.count("registers"), 0u) << r.key;
    }
  }
  int best_mode = static_cast<int>(results.front().config[0].as_int());
  EXPECT_TRUE(results.front().ok() && (best_mode == 0 || best_mode == 1)) << results.front().key;
}

// With every GPU of the host (--devices all): a config that breaks one device's context costs
// only that device's worker; the other device goes on, and every failure is still recorded.
TEST(CudaFaults, OnEveryDeviceOfTheHostEachFailureIsRecordedAndEveryDeviceMeasures) {
  if (std::string why = backend_unavailable("cuda"); !why.empty()) GTEST_SKIP() << why;
  const Value* count = make_backend("cuda")->device_info().facts.find("device_count");
  if (count == nullptr || count->as_int() < 2) GTEST_SKIP() << "fewer than two CUDA devices";
  TunaSandbox box("cuda-faults-all");
  std::string spec = source_path("tests/faults/cuda/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--run-timeout", "3", "--timing-budget", "20", "--devices", "all"},
                              /*timeout_s=*/240);
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), kExpected.size()) << "a result was lost\n" << run.output;
  std::set<std::string> devices;
  for (const Result& r : results) {
    const ExpectedFailure& want = kExpected.at(static_cast<int>(r.config[0].as_int()));
    EXPECT_EQ(status_name(r.status), std::string(status_name(want.status)))
        << r.key << " on " << r.device << ": " << r.error_class << ": " << r.message;
    EXPECT_EQ(r.error_class, want.error_class) << r.key << " on " << r.device;
    if (r.status != Status::CompileError) devices.insert(r.device);
  }
  EXPECT_GE(devices.size(), 2u) << "one device measured everything:\n" << run.output;
}

TEST(CudaFaults, TheConfigAfterAnIllegalAddressRunsInAFreshWorker) {
  if (std::string why = backend_unavailable("cuda"); !why.empty()) GTEST_SKIP() << why;
  TunaSandbox box("cuda-sticky");
  std::string spec = source_path("tests/faults/cuda/spec.toml");
  ProcessResult crash = box.run({"run", spec, "--config", "MODE=2"}, 120);
  EXPECT_EQ(crash.exit_code, 1) << crash.output;
  EXPECT_NE(crash.output.find("CUDA_ERROR_ILLEGAL_ADDRESS"), std::string::npos) << crash.output;
  ProcessResult tune = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "4",
                                "--run-timeout", "3", "--timing-budget", "10"},
                               120);
  ASSERT_TRUE(tune.ok()) << tune.output;
}

TEST(CudaFaults, CompileErrorQuotesTheUsersFile) {
  if (std::string why = backend_unavailable("cuda"); !why.empty()) GTEST_SKIP() << why;
  TunaSandbox box("cuda-compile-error");
  ProcessResult run =
      box.run({"run", source_path("tests/faults/cuda/spec.toml"), "--config", "MODE=6"}, 120);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("compile_error"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("fault.cu(13)"), std::string::npos) << run.output;
}
