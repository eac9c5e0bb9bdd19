// The host fault kernel: every way a config can fail is recorded with the right status, the run
// finishes, nothing is lost, and the answer is a correct config.
#include <chrono>
#include <map>

#include "cli_runner.hpp"
#include "fault_expectations.hpp"

using namespace tuna;
using namespace tuna::testing;


// Both evaluation orders: the whole batch compiled before any run (the host default), and each
// config run while the rest compile (the GPU default).
class FaultsInEitherOrder : public ::testing::TestWithParam<std::string> {};

TEST_P(FaultsInEitherOrder, EveryFailureIsRecordedWithItsStatusAndTheRunFinishes) {
  TunaSandbox box("faults-" + GetParam());
  std::string spec = source_path("tests/faults/host/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--run-timeout", "2", "--timing-budget", "20",
                               "--overlap-compile", GetParam()});
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  EXPECT_NE(run.output.find("configs: 32 (32 measured, 0 reused"), std::string::npos)
      << run.output;

  std::vector<Result> results = stored_results(box.db(), spec);
  expect_every_fault_recorded(results);
  // The best config is a correct one, named in the summary.
  EXPECT_TRUE(results.front().ok());
  int best_mode = static_cast<int>(results.front().config[0].as_int());
  EXPECT_TRUE(best_mode == 0 || best_mode == 1) << results.front().key;
  EXPECT_NE(run.output.find("best:    " + results.front().key), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(Order, FaultsInEitherOrder, ::testing::Values("off", "on"));

TEST(Faults, CompileErrorsQuoteTheCompilerAndTheUsersFile) {
  TunaSandbox box("compile-error");
  std::string spec = source_path("tests/faults/host/spec.toml");
  ProcessResult run = box.run({"run", spec, "--config", "MODE=5"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("compile_error"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("fault.cpp"), std::string::npos) << run.output;
}

TEST(Faults, ACrashingConfigDoesNotStopTheNextOne) {
  // A segfault kills the bench worker; the next config runs in a fresh one.
  TunaSandbox box("crash-then-ok");
  std::string spec = source_path("tests/faults/host/spec.toml");
  ProcessResult crash = box.run({"run", spec, "--config", "MODE=2"});
  EXPECT_EQ(crash.exit_code, 1) << crash.output;
  EXPECT_NE(crash.output.find("SIGSEGV"), std::string::npos) << crash.output;
  ProcessResult tune = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "6",
                                "--run-timeout", "2", "--timing-budget", "10"});
  ASSERT_TRUE(tune.ok()) << tune.output;
}

TEST(Faults, ACompilerThatHangsIsKilledAtTheCompileTimeout) {
  TunaSandbox box("compile-hang");
  std::string spec = source_path("tests/faults/host/slow_compile.toml");
  auto start = std::chrono::steady_clock::now();
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--compile-timeout", "3", "--timing-budget", "5"},
                              /*timeout_s=*/120);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  EXPECT_LT(seconds, 60) << "the hung compiler was not killed at its timeout";
  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), 2u);
  for (const Result& r : results) {
    bool slow = r.config[0].as_int() == 1;
    EXPECT_EQ(r.status, slow ? Status::Timeout : Status::Ok) << r.key << ": " << r.message;
  }
  // The compiler's process group died with it: no cc1plus is left spinning.
  ProcessResult left = run_process({"pgrep", "-f", box.dir().string()});
  EXPECT_NE(left.exit_code, 0) << "a compiler is still running:\n" << left.output;
}
