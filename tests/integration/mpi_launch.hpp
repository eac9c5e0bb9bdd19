#pragma once
// Starting tuna under OpenMPI's mpirun from a test: the environment that lets it run as root in
// CI containers, and whether the launcher is usable here at all.
#include <string>
#include <utility>
#include <vector>

#include "eval/process.hpp"

namespace tuna::testing {

// OpenMPI refuses to start as root without the first two; CI containers run as root. The third
// makes the shared-memory transport copy large messages through its segment instead of
// process_vm_readv, which some containers forbid (see test_mpi_session.cpp).
inline std::vector<std::pair<std::string, std::string>> mpirun_env() {
  return {{"OMPI_ALLOW_RUN_AS_ROOT", "1"},
          {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
          {"OMPI_MCA_btl_vader_single_copy_mechanism", "none"}};
}

// Why `mpirun` cannot be used here (empty when it can).
inline std::string mpirun_problem(const std::string& mpirun) {
  if (mpirun.empty()) return "tuna was built without MPI (install libopenmpi-dev, reconfigure)";
  RunProcessOptions options;
  options.timeout_s = 30;
  options.extra_env = mpirun_env();
  ProcessResult version = run_process({mpirun, "--version"}, options);
  if (!version.ok()) return mpirun + " --version failed: " + version.describe();
  if (version.output.find("Open MPI") == std::string::npos &&
      version.output.find("OpenRTE") == std::string::npos) {
    return mpirun + " is not OpenMPI's launcher; these tests know only OpenMPI's options";
  }
  return {};
}

}  // namespace tuna::testing
