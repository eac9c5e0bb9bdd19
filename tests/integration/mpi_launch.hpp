#pragma once
// Starting tuna under OpenMPI's mpirun from a test: the environment that lets it run as root in
// CI containers, and whether the launcher is usable here at all.
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "base/process.hpp"
#include "support/temp_dir.hpp"

namespace tuna::testing {

// Runs `argv` (an mpirun command line) with `options` plus the environment OpenMPI needs here.
// OpenMPI refuses to start as root without the first two variables; CI containers run as root.
// The third: for large messages the shared-memory transport (vader) copies straight between
// processes with process_vm_readv by default, which some containers forbid (Docker without
// CAP_SYS_PTRACE: "Read -1, expected ..., errno = 1"); "none" copies through the shared segment
// instead. A variable rather than --mca keeps the command line valid for an mpirun without vader.
// TMPDIR: OpenMPI keeps every job's session files under one folder per host and user
// (<tmp>/ompi.<host>.<uid>) and a job that ends removes it when it looks empty, so two mpiruns
// at once (ctest -j) race: the other one's mkdir of its pid.N folder fails in orte_init ("A call
// to mkdir was unable to create the desired directory", CI, 2026-12-07). A private folder per
// launch, which OpenMPI 4 (ORTE) and 5 (PRRTE) both take from TMPDIR, leaves nothing to share.
inline ProcessResult run_mpirun(const std::vector<std::string>& argv, RunProcessOptions options) {
  TempDir session("mpirun");
  options.extra_env.insert(options.extra_env.end(),
                           {{"OMPI_ALLOW_RUN_AS_ROOT", "1"},
                            {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
                            {"OMPI_MCA_btl_vader_single_copy_mechanism", "none"},
                            {"TMPDIR", session.path().string()}});
  return run_process(argv, options);
}

// Why `mpirun` cannot be used here (empty when it can).
inline std::string mpirun_problem(const std::string& mpirun) {
  if (mpirun.empty()) return "tuna was built without MPI (install libopenmpi-dev, reconfigure)";
  if (::access(mpirun.c_str(), X_OK) != 0) {
    return "mpirun was not found (CMake saw '" + mpirun + "'); install openmpi-bin and reconfigure";
  }
  RunProcessOptions options;
  options.timeout_s = 30;
  ProcessResult version = run_mpirun({mpirun, "--version"}, options);
  if (!version.ok()) return mpirun + " --version failed: " + version.describe();
  if (version.output.find("Open MPI") == std::string::npos &&
      version.output.find("OpenRTE") == std::string::npos) {
    return mpirun + " is not OpenMPI's launcher; these tests know only OpenMPI's options";
  }
  return {};
}

}  // namespace tuna::testing
