#pragma once
// What turns one config of a kernel into a cubin for the CUDA runtime (device, arguments, launch,
// timing): NVRTC for CUDA C++ (the cuda backend), Triton's compiler for Python kernels (the
// triton backend). Everything after the cubin is shared; a compiler that also decides the launch
// (block, shared memory, scratch pointers) says so in the artifact's manifest (CompilerLaunch).
#include <filesystem>
#include <string>

#include "tuna/backend.hpp"
#include "tuna/device.hpp"

namespace tuna::cuda {

class KernelCompiler {
 public:
  virtual ~KernelCompiler() = default;

  // The compiler and its version as the device id ends with, e.g. "NVRTC 13.0": results of
  // different compilers are kept apart in the store. May be slow (it may start a process):
  // called once per process, when the device is described.
  virtual std::string identity() const = 0;
  // Adds the compiler's facts (e.g. nvrtc_version) to a device's facts.
  virtual void add_facts(Env& facts) const = 0;

  // True when each artifact's manifest carries the launch (CompilerLaunch): block, shared
  // memory and scratch pointers come from the compiler, only the grid from the spec.
  virtual bool decides_launch() const { return false; }

  // Compiles (or finds in `cache_dir`) the cubin of `config` for the device. A config that does
  // not compile is data (ok = false); throws UserError only for what no config can escape.
  virtual CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                                 const DeviceInfo& device,
                                 const std::filesystem::path& cache_dir) const = 0;
};

}  // namespace tuna::cuda
