#pragma once
// The CUDA backend: kernels in CUDA C++, compiled with NVRTC to a cubin for the device's
// architecture and launched through the driver API. Every CUDA library is loaded at run time.
// docs/backends/cuda.md describes the whole backend.
#include <memory>
#include <optional>

#include "tuna/backend.hpp"

namespace tuna::cuda {

// Creates the backend: loads the driver and checks that the chosen device ($TUNA_CUDA_DEVICE,
// default 0) exists. Throws UserError saying what is missing and what to do.
std::unique_ptr<Backend> make_cuda_backend();

}  // namespace tuna::cuda
