// Cluster mode's first decision: whether an MPI launcher started this process, read from the
// environment without initialising MPI; and the message a tuna built without MPI gives.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cluster/mpi_session.hpp"
#include "tuna/errors.hpp"

using tuna::cluster::launcher_world_size;

namespace {

// Sets or clears one variable for a test and puts the old value back afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Every variable launcher_world_size() reads, cleared, so tests see only what they set even when
// the test itself runs under mpirun or srun.
struct CleanLauncherEnv {
  ScopedEnv ompi{"OMPI_COMM_WORLD_SIZE", std::nullopt};
  ScopedEnv pmi{"PMI_SIZE", std::nullopt};
  ScopedEnv pmix{"PMIX_RANK", std::nullopt};
  ScopedEnv slurm{"SLURM_STEP_NUM_TASKS", std::nullopt};
};

std::string user_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tuna::UserError& e) {
    return e.what();
  }
  return "(no UserError)";
}

TEST(LauncherWorldSize, IsOneWithoutALauncher) {
  CleanLauncherEnv clean;
  EXPECT_EQ(launcher_world_size(), 1);
}

TEST(LauncherWorldSize, ReadsOpenMpisMpirun) {
  CleanLauncherEnv clean;
  ScopedEnv size("OMPI_COMM_WORLD_SIZE", "4");
  EXPECT_EQ(launcher_world_size(), 4);
}

TEST(LauncherWorldSize, ReadsPmiLaunchersSuchAsSrunWithPmi2) {
  CleanLauncherEnv clean;
  ScopedEnv size("PMI_SIZE", "3");
  EXPECT_EQ(launcher_world_size(), 3);
}

TEST(LauncherWorldSize, OpenMpiTakesPrecedenceOverPmi) {
  CleanLauncherEnv clean;
  ScopedEnv ompi("OMPI_COMM_WORLD_SIZE", "2");
  ScopedEnv pmi("PMI_SIZE", "7");
  EXPECT_EQ(launcher_world_size(), 2);
}

TEST(LauncherWorldSize, SlurmTaskCountCountsOnlyUnderSrunsPmixPlugin) {
  CleanLauncherEnv clean;
  ScopedEnv tasks("SLURM_STEP_NUM_TASKS", "8");
  // A batch script or a plain srun task: no MPI wire-up, so not a cluster of 8.
  EXPECT_EQ(launcher_world_size(), 1);
  ScopedEnv pmix("PMIX_RANK", "0");
  EXPECT_EQ(launcher_world_size(), 8);
}

TEST(LauncherWorldSize, AnEmptyVariableCountsAsUnset) {
  CleanLauncherEnv clean;
  ScopedEnv ompi("OMPI_COMM_WORLD_SIZE", "");
  ScopedEnv pmi("PMI_SIZE", "5");
  EXPECT_EQ(launcher_world_size(), 5);
}

TEST(LauncherWorldSize, MalformedValuesAreUserErrorsNamingTheVariable) {
  for (const char* bad : {"four", "0", "-2", "3x", " 3", "99999999999999"}) {
    CleanLauncherEnv clean;
    ScopedEnv ompi("OMPI_COMM_WORLD_SIZE", bad);
    std::string message = user_error_of([] { launcher_world_size(); });
    EXPECT_NE(message.find("OMPI_COMM_WORLD_SIZE='" + std::string(bad) + "'"), std::string::npos)
        << bad << ": " << message;
  }
  CleanLauncherEnv clean;
  ScopedEnv pmi("PMI_SIZE", "many");
  EXPECT_NE(user_error_of([] { launcher_world_size(); }).find("PMI_SIZE='many'"),
            std::string::npos);
}

#ifdef TUNA_HAVE_MPI

TEST(MpiBuild, ReportsMpiSupport) { EXPECT_TRUE(tuna::cluster::built_with_mpi()); }

#else

TEST(MpiBuild, ReportsNoMpiSupport) { EXPECT_FALSE(tuna::cluster::built_with_mpi()); }

TEST(MpiBuild, ASessionExplainsHowToBuildWithMpi) {
  std::string message = user_error_of([] { tuna::cluster::MpiSession session; });
  EXPECT_NE(message.find("built without MPI"), std::string::npos) << message;
  EXPECT_NE(message.find("libopenmpi-dev"), std::string::npos) << message;
  EXPECT_NE(message.find("openmpi-bin"), std::string::npos) << message;
  EXPECT_NE(message.find("rebuild"), std::string::npos) << message;
}

#endif

}  // namespace
