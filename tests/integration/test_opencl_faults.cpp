// The OpenCL fault kernel on the first OpenCL device (PoCL in CI): every way a config can fail
// is recorded with its status, the crash and the hang each cost only a worker, and the run
// finishes with a correct config.
#include <map>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

struct Expected {
  Status status;
  std::string error_class;  // empty: any
};

// From tests/faults/opencl/README.md.
const std::map<int, Expected> kExpected = {
    {0, {Status::Ok, ""}},
    {1, {Status::Ok, ""}},
    {2, {Status::RuntimeError, ""}},  // checked below: the class depends on the device
    {3, {Status::Timeout, "timeout"}},
    {4, {Status::CompileError, ""}},
    {5, {Status::WrongResult, "mismatch"}},
    {6, {Status::WrongResult, "mismatch"}},
    {7, {Status::RuntimeError, "CL_INVALID_WORK_GROUP_SIZE"}},
};

// Skips when this tuna has no OpenCL backend or the ICD loader finds no device.
std::string opencl_unavailable(TunaSandbox& box) {
  ProcessResult devices = box.run({"devices"});
  const auto at = devices.output.find("opencl");
  if (at == std::string::npos) return "this tuna was built without the OpenCL backend";
  const auto end = devices.output.find('\n', at);
  const std::string line = devices.output.substr(at, end - at);
  if (line.find("unavailable") != std::string::npos) return line;
  return {};
}

}  // namespace

TEST(OpenClFaults, EveryFailureIsRecordedWithItsStatusAndTheRunFinishes) {
  TunaSandbox box("opencl-faults");
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  std::string spec = source_path("tests/faults/opencl/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--run-timeout", "3", "--timing-budget", "20"},
                              /*timeout_s=*/300);
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;

  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), kExpected.size()) << "a result was lost\n" << run.output;
  for (const Result& r : results) {
    const int mode = static_cast<int>(r.config[0].as_int());
    const Expected& want = kExpected.at(mode);
    EXPECT_EQ(status_name(r.status), std::string(status_name(want.status)))
        << r.key << ": " << r.error_class << ": " << r.message;
    if (!want.error_class.empty()) EXPECT_EQ(r.error_class, want.error_class) << r.key;
    if (!r.ok()) EXPECT_FALSE(r.message.empty()) << r.key << " has no message";
    if (r.ok()) EXPECT_GT(r.median_ms, 0) << r.key;
    if (mode == 2) {
      // A CPU implementation (PoCL) runs the kernel in the worker, which dies of SIGSEGV; a GPU
      // driver reports an OpenCL error instead (NVIDIA: -9999 for an illegal address).
      EXPECT_TRUE(r.error_class == "SIGSEGV" || r.error_class.rfind("CL_", 0) == 0)
          << r.key << ": " << r.error_class;
    }
    if (mode == 4) EXPECT_NE(r.message.find("fault.cl:"), std::string::npos) << r.message;
    if (mode == 7) EXPECT_NE(r.message.find("local 65536"), std::string::npos) << r.message;
  }
  EXPECT_TRUE(results.front().ok());
  const int best_mode = static_cast<int>(results.front().config[0].as_int());
  EXPECT_TRUE(best_mode == 0 || best_mode == 1) << results.front().key;
}

TEST(OpenClFaults, ACrashingConfigDoesNotStopTheNextOne) {
  TunaSandbox box("opencl-crash-then-ok");
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  std::string spec = source_path("tests/faults/opencl/spec.toml");
  ProcessResult crash = box.run({"run", spec, "--config", "MODE=2", "--run-timeout", "5"});
  EXPECT_EQ(crash.exit_code, 1) << crash.output;
  EXPECT_NE(crash.output.find("runtime_error"), std::string::npos) << crash.output;
  EXPECT_TRUE(crash.output.find("SIGSEGV") != std::string::npos ||
              crash.output.find("CL_") != std::string::npos)
      << crash.output;
  ProcessResult ok = box.run({"run", spec, "--config", "MODE=1"});
  EXPECT_TRUE(ok.ok()) << ok.output;
}
