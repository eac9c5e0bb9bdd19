#include "backends/cuda/driver_api.hpp"

#include <fmt/format.h>

#include <vector>

#include "tuna/errors.hpp"

namespace tuna::cuda {

// Only the soname: the driver's library must match the kernel module, so it is taken from
// wherever the system's loader finds it, never from the toolkit, whose libcuda is only a
// placeholder for linking and cannot run.
DriverApi::DriverApi()
    : LoadedLibrary({"libcuda.so.1"},
                    "cuda backend: the NVIDIA driver library cannot be loaded ({}), so no NVIDIA "
                    "driver is installed or the loader cannot find it. Install the NVIDIA driver "
                    "(nvidia-smi should list the GPU), or add its folder to LD_LIBRARY_PATH; in a "
                    "container, run with the GPU exposed (e.g. docker --gpus all).") {
  require_functions(
      "cuda backend: the NVIDIA driver library {} lacks {}: the driver is too old for tuna. "
      "Update the NVIDIA driver (CUDA 12 or newer).");
}

std::string DriverApi::error_name(CUresult result) const {
  const char* name = nullptr;
  if (get_error_name != nullptr && get_error_name(result, &name) == CUDA_SUCCESS && name)
    return name;
  return fmt::format("CUDA_ERROR_{}", static_cast<int>(result));
}

std::string DriverApi::error_string(CUresult result) const {
  const char* text = nullptr;
  if (get_error_string != nullptr && get_error_string(result, &text) == CUDA_SUCCESS && text)
    return text;
  return fmt::format("CUDA error {}", static_cast<int>(result));
}

}  // namespace tuna::cuda
