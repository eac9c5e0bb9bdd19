#include "backends/cuda/driver_api.hpp"

#include <fmt/format.h>

#include <vector>

#include "tuna/errors.hpp"

namespace tuna::cuda {

DriverApi::DriverApi() {
  // Only the soname: the driver's library must match the kernel module, so it is taken from
  // wherever the system's loader finds it, never from the toolkit, whose libcuda is only a
  // placeholder for linking and cannot run.
  opened_ = open_first({"libcuda.so.1"});
  if (!opened_.library.valid())
    throw UserError(fmt::format(
        "cuda backend: the NVIDIA driver library libcuda.so.1 cannot be loaded ({}), so no NVIDIA "
        "driver is installed or the loader cannot find it. Install the NVIDIA driver (nvidia-smi "
        "should list the GPU), or add its folder to LD_LIBRARY_PATH; in a container, run with "
        "the GPU exposed (e.g. docker --gpus all).",
        opened_.tried));
  const host::SharedLibrary& lib = opened_.library;
  std::vector<std::string> missing;
  bind_symbol(lib, "cuInit", init, missing);
  bind_symbol(lib, "cuDriverGetVersion", driver_get_version, missing);
  bind_symbol(lib, "cuGetErrorName", get_error_name, missing);
  bind_symbol(lib, "cuGetErrorString", get_error_string, missing);
  bind_symbol(lib, "cuDeviceGetCount", device_get_count, missing);
  bind_symbol(lib, "cuDeviceGet", device_get, missing);
  bind_symbol(lib, "cuDeviceGetName", device_get_name, missing);
  bind_symbol(lib, "cuDeviceGetAttribute", device_get_attribute, missing);
  bind_symbol(lib, "cuDeviceTotalMem_v2", device_total_mem, missing);
  bind_symbol(lib, "cuDeviceGetPCIBusId", device_get_pci_bus_id, missing);
  bind_symbol(lib, "cuDevicePrimaryCtxRetain", primary_ctx_retain, missing);
  bind_symbol(lib, "cuDevicePrimaryCtxRelease_v2", primary_ctx_release, missing);
  bind_symbol(lib, "cuCtxSetCurrent", ctx_set_current, missing);
  bind_symbol(lib, "cuCtxSynchronize", ctx_synchronize, missing);
  bind_symbol(lib, "cuMemAlloc_v2", mem_alloc, missing);
  bind_symbol(lib, "cuMemFree_v2", mem_free, missing);
  bind_symbol(lib, "cuMemcpyHtoD_v2", memcpy_htod, missing);
  bind_symbol(lib, "cuMemcpyDtoH_v2", memcpy_dtoh, missing);
  bind_symbol(lib, "cuMemcpyDtoD_v2", memcpy_dtod, missing);
  bind_symbol(lib, "cuMemsetD8Async", memset_d8_async, missing);
  bind_symbol(lib, "cuModuleLoadData", module_load_data, missing);
  bind_symbol(lib, "cuModuleUnload", module_unload, missing);
  bind_symbol(lib, "cuModuleGetFunction", module_get_function, missing);
  bind_symbol(lib, "cuFuncGetAttribute", func_get_attribute, missing);
  bind_symbol(lib, "cuFuncSetAttribute", func_set_attribute, missing);
  bind_symbol(lib, "cuLaunchKernel", launch_kernel, missing);
  bind_symbol(lib, "cuOccupancyMaxActiveBlocksPerMultiprocessor", occupancy_max_active_blocks,
              missing);
  bind_symbol(lib, "cuStreamCreate", stream_create, missing);
  bind_symbol(lib, "cuStreamDestroy_v2", stream_destroy, missing);
  bind_symbol(lib, "cuStreamSynchronize", stream_synchronize, missing);
  bind_symbol(lib, "cuEventCreate", event_create, missing);
  bind_symbol(lib, "cuEventDestroy_v2", event_destroy, missing);
  bind_symbol(lib, "cuEventRecord", event_record, missing);
  bind_symbol(lib, "cuEventSynchronize", event_synchronize, missing);
  std::vector<std::string> no_v2;
  if (!bind_symbol(lib, "cuEventElapsedTime_v2", event_elapsed_time, no_v2))
    bind_symbol(lib, "cuEventElapsedTime", event_elapsed_time, missing);
  if (!missing.empty())
    throw UserError(fmt::format(
        "cuda backend: the NVIDIA driver library {} lacks {}: the driver is too old for tuna. "
        "Update the NVIDIA driver (CUDA 12 or newer).",
        opened_.path, fmt::join(missing, ", ")));
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
