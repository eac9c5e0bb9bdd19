// The triton backend: Triton kernels compiled by Triton's own compiler (TritonCompiler), then
// loaded, launched and timed by the CUDA backend's runtime with the launch Triton decided.
#include <memory>

#include "backends/cuda/cuda_backend.hpp"
#include "backends/triton/triton_compiler.hpp"

namespace tuna::triton {

std::unique_ptr<Backend> make_triton_backend() {
  return cuda::make_cuda_runtime_backend("triton", [] { return std::make_unique<TritonCompiler>(); });
}

}  // namespace tuna::triton
