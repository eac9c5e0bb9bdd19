#pragma once
// Starting tuna under OpenMPI's mpirun from a test: the environment that lets it run as root in
// CI containers, and whether the launcher is usable here at all.
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "base/process.hpp"

namespace tuna::testing {

// OpenMPI refuses to start as root without the first two; CI containers run as root. The third:
// for large messages the shared-memory transport (vader) copies straight between processes with
// process_vm_readv by default, which some containers forbid (Docker without CAP_SYS_PTRACE:
// "Read -1, expected ..., errno = 1"); "none" copies through the shared segment instead. A
// variable rather than --mca keeps the command line valid for an mpirun without vader.
inline std::vector<std::pair<std::string, std::string>> mpirun_env() {
  return {{"OMPI_ALLOW_RUN_AS_ROOT", "1"},
          {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
          {"OMPI_MCA_btl_vader_single_copy_mechanism", "none"}};
}

// Why `mpirun` cannot be used here (empty when it can).
inline std::string mpirun_problem(const std::string& mpirun) {
  if (mpirun.empty()) return "tuna was built without MPI (install libopenmpi-dev, reconfigure)";
  if (::access(mpirun.c_str(), X_OK) != 0) {
    return "mpirun was not found (CMake saw '" + mpirun + "'); install openmpi-bin and reconfigure";
  }
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
