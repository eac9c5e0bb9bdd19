// The MPI transport across real processes: tests/mpi/mpi_probe.cpp under `mpirun -n 3`. Skips
// when tuna was built without MPI or OpenMPI's mpirun is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "base/process.hpp"
#include "mpi_launch.hpp"

namespace {

#if defined(TUNA_HAVE_MPI) && defined(TUNA_MPI_PROBE) && defined(TUNA_MPIEXEC)

// Why the probe cannot run here, or empty when it can.
std::string launcher_problem() { return tuna::testing::mpirun_problem(TUNA_MPIEXEC); }

// --oversubscribe: OpenMPI gives one slot per core and refuses more ranks than slots; the CI
// machine may have fewer cores than the 3 ranks the probe needs.
tuna::ProcessResult run_probe(const std::vector<std::string>& probe_args, double timeout_s) {
  std::vector<std::string> argv = {TUNA_MPIEXEC, "-n", "3", "--oversubscribe", TUNA_MPI_PROBE};
  argv.insert(argv.end(), probe_args.begin(), probe_args.end());
  tuna::RunProcessOptions options;
  options.timeout_s = timeout_s;
  return tuna::testing::run_mpirun(argv, options);
}

TEST(MpiSession, ThreeRanksExchangeMessagesInOrderWithoutDeadlock) {
  if (std::string problem = launcher_problem(); !problem.empty()) GTEST_SKIP() << problem;
  tuna::ProcessResult probe = run_probe({}, 120);
  const std::string& out = probe.output;
  ASSERT_TRUE(probe.ok()) << probe.describe() << "\n" << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  for (const char* line : {"rank 0 of 3 on ", "rank 1 of 3 on ", "rank 2 of 3 on ", "ok identity\n",
                           "ok spawn\n", "ok ordered\n", "ok timeout\n", "ok idle\n",
                           "ok large-crossed\n", "ok specific-source\n", "probe passed\n"}) {
    EXPECT_NE(out.find(line), std::string::npos) << "missing '" << line << "' in:\n" << out;
  }
}

TEST(MpiSession, AbortOnOneRankEndsTheWholeJob) {
  if (std::string problem = launcher_problem(); !problem.empty()) GTEST_SKIP() << problem;
  // The other ranks wait 60 s for a message that never comes; only abort() ends them sooner.
  tuna::ProcessResult probe = run_probe({"abort"}, 50);
  EXPECT_FALSE(probe.timed_out) << probe.output;
  EXPECT_TRUE(probe.started);
  EXPECT_NE(probe.exit_code, 0) << probe.describe() << "\n" << probe.output;
  EXPECT_EQ(probe.output.find("was not aborted"), std::string::npos) << probe.output;
}

#else

TEST(MpiSession, ThreeRanksExchangeMessagesInOrderWithoutDeadlock) {
  GTEST_SKIP() << "tuna was built without MPI: install libopenmpi-dev and openmpi-bin, then "
                  "reconfigure and rebuild to test cluster mode";
}

#endif

}  // namespace
