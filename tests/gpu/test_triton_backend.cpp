// The triton backend on a GPU: the Triton fault kernel (tests/faults/triton) records every way a
// config can fail with the right status and class and the run finishes with a correct answer;
// the softmax example tunes and passes its check. Skips without a CUDA device or without an
// interpreter that has Triton ($TUNA_PYTHON, else python3).
#include <map>

#include "gpu/fault_expectations.hpp"
#include "integration/cli_runner.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

// From tests/faults/triton/README.md.
const std::map<int, ExpectedFailure> kExpected = {
    {0, {Status::Ok, ""}},
    {1, {Status::Ok, ""}},
    {2, {Status::RuntimeError, "CUDA_ERROR_ILLEGAL_ADDRESS"}},
    {3, {Status::Timeout, "timeout"}},
    {4, {Status::CompileError, "compile_error"}},
    {5, {Status::WrongResult, "mismatch"}},
    {6, {Status::WrongResult, "mismatch"}},
};

}  // namespace

TEST(TritonBackend, EveryFailureIsRecordedWithItsClassAndTheRunFinishes) {
  if (std::string why = backend_unavailable("triton"); !why.empty()) GTEST_SKIP() << why;
  TunaSandbox box("triton-faults");
  const std::string spec = source_path("tests/faults/triton/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--run-timeout", "5", "--timing-budget", "20"},
                              /*timeout_s=*/300);
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;

  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), kExpected.size()) << "a result was lost\n" << run.output;
  for (const Result& r : results) {
    const int mode = static_cast<int>(r.config[0].as_int());
    const ExpectedFailure& want = kExpected.at(mode);
    EXPECT_EQ(status_name(r.status), std::string(status_name(want.status)))
        << r.key << ": " << r.error_class << ": " << r.message;
    EXPECT_EQ(r.error_class, want.error_class) << r.key << ": " << r.message;
    if (!r.ok()) EXPECT_FALSE(r.message.empty()) << r.key << " has no message";
    if (r.ok()) {
      EXPECT_GT(r.median_ms, 0) << r.key;
      EXPECT_EQ(r.resources.at("num_warps"), 4) << r.key;
      EXPECT_GT(r.resources.count("registers"), 0u) << r.key;
    }
  }
  const int best_mode = static_cast<int>(results.front().config[0].as_int());
  EXPECT_TRUE(results.front().ok() && (best_mode == 0 || best_mode == 1)) << results.front().key;
}

TEST(TritonBackend, SoftmaxExampleTunesAndEveryMeasuredConfigPassesItsCheck) {
  if (std::string why = backend_unavailable("triton"); !why.empty()) GTEST_SKIP() << why;
  TunaSandbox box("triton-softmax");
  const std::string spec = source_path("examples/triton/softmax/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "random", "--max-evals", "6",
                               "--timing-budget", "20", "--seed", "3"},
                              /*timeout_s=*/300);
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_GE(results.size(), 6u) << run.output;
  int ok = 0;
  for (const Result& r : results) {
    EXPECT_NE(r.status, Status::WrongResult) << r.key << ": " << r.message;
    ok += r.ok() ? 1 : 0;
  }
  EXPECT_GE(ok, 1) << run.output;
  EXPECT_TRUE(results.front().ok()) << results.front().key;
}
