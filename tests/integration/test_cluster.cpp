// Cluster mode on one machine: `mpirun -n 3 tuna tune ...`. Rank 0 leads the search; ranks 1 and
// 2 compile and measure what it sends them, and a config that crashes, hangs or computes a wrong
// answer on a follower is recorded there exactly as on a single host. Host and OpenCL (PoCL)
// backends; skipped without MPI.
#include <set>

#include "cli_runner.hpp"
#include "fault_expectations.hpp"
#include "mpi_launch.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

#ifdef TUNA_MPIEXEC
const std::string kMpirun = TUNA_MPIEXEC;
#else
const std::string kMpirun;
#endif

ProcessResult tune_on_ranks(const TunaSandbox& box, int ranks, std::vector<std::string> args,
                            double timeout_s = 300) {
  std::vector<std::string> argv = {kMpirun, "-n", std::to_string(ranks), "--oversubscribe",
                                   TUNA_BINARY, "tune"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunProcessOptions options;
  options.timeout_s = timeout_s;
  options.extra_env = box.env();
  return run_mpirun(argv, options);
}

// The ranks whose devices measured something: "" for rank 0's own, "r1", "r2" for followers.
std::set<std::string> measuring_ranks(const std::vector<Result>& results) {
  std::set<std::string> ranks;
  for (const Result& r : results) {
    if (r.status == Status::CompileError || r.status == Status::Invalid) continue;
    if (r.status == Status::Timeout && r.device.empty()) continue;
    std::size_t at = r.device.find('@');
    ranks.insert(at == std::string::npos ? "" : r.device.substr(0, at));
  }
  return ranks;
}

}  // namespace

TEST(Cluster, FaultsOnEveryRankAreRecordedAndTheRunFinishes) {
  if (std::string problem = mpirun_problem(kMpirun); !problem.empty()) GTEST_SKIP() << problem;
  TunaSandbox box("cluster-faults");
  std::string spec = source_path("tests/faults/host/spec.toml");
  ProcessResult run = tune_on_ranks(box, 3, {spec, "--strategy", "exhaustive", "--max-evals",
                                             "0", "--run-timeout", "2", "--timing-budget", "20",
                                             "-j", "1"});
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  EXPECT_NE(run.output.find("configs: 32 (32 measured, 0 reused"), std::string::npos)
      << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  expect_every_fault_recorded(results);
  std::set<std::string> ranks = measuring_ranks(results);
  EXPECT_TRUE(ranks.contains("r1") && ranks.contains("r2"))
      << "a follower measured nothing; devices seen: " << ::testing::PrintToString(ranks);
  for (const Result& r : results) {
    if (r.device.find('@') != std::string::npos && r.status != Status::CompileError) {
      EXPECT_NE(r.device.find("/host:0"), std::string::npos) << r.key << ": " << r.device;
    }
  }
}

TEST(Cluster, OpenClExampleTunesOnTwoRanks) {
  if (std::string problem = mpirun_problem(kMpirun); !problem.empty()) GTEST_SKIP() << problem;
  TunaSandbox box("cluster-opencl");
  ProcessResult probe = box.run({"devices"});
  if (probe.output.find("opencl   unavailable") != std::string::npos ||
      probe.output.find("opencl") == std::string::npos) {
    GTEST_SKIP() << "no OpenCL device here:\n" << probe.output;
  }
  std::string spec = source_path("examples/opencl/reduction/spec.toml");
  ProcessResult run = tune_on_ranks(box, 2, {spec, "--max-evals", "6", "--timing-budget", "5",
                                             "-j", "1"});
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), 6u) << run.output;
  EXPECT_NE(run.output.find("best:"), std::string::npos) << run.output;
  std::set<std::string> ranks = measuring_ranks(results);
  EXPECT_TRUE(ranks.contains("r1")) << "rank 1 measured nothing:\n" << run.output;
  for (const Result& r : results) EXPECT_NE(r.status, Status::WrongResult) << r.key;
}

TEST(Cluster, ARankThatCannotStartIsNamedAndEveryRankStops) {
  if (std::string problem = mpirun_problem(kMpirun); !problem.empty()) GTEST_SKIP() << problem;
  TunaSandbox box("cluster-bad-device");
  // Every rank asks for an OpenCL device that does not exist: rank 0 fails on its own, the
  // followers tell it why they cannot join, and the job ends with a user error, not a hang.
  ProcessResult run = tune_on_ranks(box, 2, {source_path("examples/opencl/reduction/spec.toml"),
                                             "--opencl-device", "no-such-device", "--max-evals",
                                             "4"},
                                    120);
  EXPECT_FALSE(run.timed_out) << run.output;
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("no-such-device"), std::string::npos) << run.output;
}

TEST(Cluster, AFollowerThatCannotReadTheSpecIsNamedAndTheJobEnds) {
  if (std::string problem = mpirun_problem(kMpirun); !problem.empty()) GTEST_SKIP() << problem;
  TunaSandbox box("cluster-no-spec");
  // Rank 1 is given a spec path that does not exist on its "host".
  std::string spec = source_path("tests/faults/host/spec.toml");
  std::vector<std::string> argv = {
      kMpirun, "-n", "2", "--oversubscribe", "bash", "-c",
      "if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then s=/nonexistent/spec.toml; else s=$1; fi; "
      "exec \"$0\" tune \"$s\" --max-evals 2",
      TUNA_BINARY, spec};
  RunProcessOptions options;
  options.timeout_s = 120;
  options.extra_env = box.env();
  ProcessResult run = run_mpirun(argv, options);
  EXPECT_FALSE(run.timed_out) << run.output;
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("rank 1"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("/nonexistent/spec.toml"), std::string::npos) << run.output;
}
