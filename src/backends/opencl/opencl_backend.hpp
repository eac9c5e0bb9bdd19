#pragma once
// The OpenCL backend: kernels in OpenCL C, built for the selected device through the ICD
// loader (loaded at run time), so PoCL on the CPU and GPU vendors' drivers both serve.
// docs/backends/opencl.md describes the whole backend.
#include <memory>

#include "tuna/backend.hpp"

namespace tuna::opencl {

// Creates the backend: registers unregistered vendor drivers when needed, loads the ICD loader
// and selects the device ($TUNA_OPENCL_PLATFORM, $TUNA_OPENCL_DEVICE; default the first GPU,
// else the first device). Throws UserError saying what is missing and what to do.
std::unique_ptr<Backend> make_opencl_backend();

}  // namespace tuna::opencl
