#pragma once
// Compiling one config of a Triton kernel (a @triton.jit function in a Python file) to a cubin,
// with Triton's own compiler in a Python child process (triton_compile.py, embedded in tuna),
// cached on disk by a content hash like the CUDA backend's cubins. The launch Triton decides
// (num_warps warps, its shared memory, scratch pointers) goes into the artifact's manifest.
// docs/backends/triton.md describes the backend.
//
// The interpreter is $TUNA_PYTHON, else `python3` on PATH; the Python package sets TUNA_PYTHON
// to its own interpreter.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "backends/cuda/kernel_compiler.hpp"
#include "backends/triton/triton_request.hpp"

namespace tuna::triton {

// The interpreter command: $TUNA_PYTHON when set and not empty, else "python3".
std::string python_interpreter();

class TritonCompiler final : public cuda::KernelCompiler {
 public:
  TritonCompiler() = default;

  // "Triton 3.6.0": asks the interpreter (once per process). Throws UserError when it has no
  // Triton, naming the interpreter and how to choose another.
  std::string identity() const override;
  void add_facts(Env& facts) const override;
  bool decides_launch() const override { return true; }

  CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                         const DeviceInfo& device,
                         const std::filesystem::path& cache_dir) const override;

 private:
  const VersionAnswer& version() const;
  mutable std::once_flag version_once_;
  mutable std::optional<VersionAnswer> version_;
};

}  // namespace tuna::triton
