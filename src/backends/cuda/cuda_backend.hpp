#pragma once
// The CUDA backend: kernels in CUDA C++, compiled with NVRTC to a cubin for the device's
// architecture and launched through the driver API. Every CUDA library is loaded at run time.
// docs/backends/cuda.md describes the whole backend.
#include <functional>
#include <memory>
#include <string>

#include "backends/cuda/kernel_compiler.hpp"
#include "tuna/backend.hpp"

namespace tuna::cuda {

// Creates the backend: loads the driver and checks that the chosen device ($TUNA_CUDA_DEVICE,
// default 0) exists. Throws UserError saying what is missing and what to do.
std::unique_ptr<Backend> make_cuda_backend();

// The same runtime with another compiler (the triton backend): `name` is the backend's name and
// the devices' `backend`; `make_compiler` is called once, on first need.
using CompilerFactory = std::function<std::unique_ptr<KernelCompiler>()>;
std::unique_ptr<Backend> make_cuda_runtime_backend(std::string name, CompilerFactory make_compiler);

}  // namespace tuna::cuda
