#pragma once
// The CUDA driver API (libcuda.so.1, installed with the NVIDIA driver), loaded at run time. The
// types come from the toolkit's cuda.h; the symbols are looked up by their versioned names
// (cuMemAlloc_v2, ...), which is what cuda.h's macros map the plain names to.
#include <cuda.h>

#include <string>

#include "backends/common/dynamic_library.hpp"

namespace tuna::cuda {

class DriverApi : public backends::LoadedLibrary {
 public:
  // Opens libcuda.so.1 and binds every function. Throws UserError saying what is missing (no
  // NVIDIA driver, a driver too old for a needed function) and what to do.
  DriverApi();

  // "CUDA_ERROR_ILLEGAL_ADDRESS" and "an illegal memory access was encountered" for `result`.
  std::string error_name(CUresult result) const;
  std::string error_string(CUresult result) const;

  TUNA_LIBRARY_FUNCTION(init, cuInit);
  TUNA_LIBRARY_FUNCTION(driver_get_version, cuDriverGetVersion);
  TUNA_LIBRARY_FUNCTION(get_error_name, cuGetErrorName);
  TUNA_LIBRARY_FUNCTION(get_error_string, cuGetErrorString);
  TUNA_LIBRARY_FUNCTION(device_get_count, cuDeviceGetCount);
  TUNA_LIBRARY_FUNCTION(device_get, cuDeviceGet);
  TUNA_LIBRARY_FUNCTION(device_get_name, cuDeviceGetName);
  TUNA_LIBRARY_FUNCTION(device_get_attribute, cuDeviceGetAttribute);
  TUNA_LIBRARY_FUNCTION(device_total_mem, cuDeviceTotalMem_v2);
  TUNA_LIBRARY_FUNCTION(device_get_pci_bus_id, cuDeviceGetPCIBusId);
  TUNA_LIBRARY_FUNCTION(primary_ctx_retain, cuDevicePrimaryCtxRetain);
  TUNA_LIBRARY_FUNCTION(primary_ctx_release, cuDevicePrimaryCtxRelease_v2);
  TUNA_LIBRARY_FUNCTION(ctx_set_current, cuCtxSetCurrent);
  TUNA_LIBRARY_FUNCTION(ctx_synchronize, cuCtxSynchronize);
  TUNA_LIBRARY_FUNCTION(mem_alloc, cuMemAlloc_v2);
  TUNA_LIBRARY_FUNCTION(mem_free, cuMemFree_v2);
  TUNA_LIBRARY_FUNCTION(memcpy_htod, cuMemcpyHtoD_v2);
  TUNA_LIBRARY_FUNCTION(memcpy_dtoh, cuMemcpyDtoH_v2);
  TUNA_LIBRARY_FUNCTION(memcpy_dtod, cuMemcpyDtoD_v2);
  TUNA_LIBRARY_FUNCTION(memset_d8_async, cuMemsetD8Async);
  TUNA_LIBRARY_FUNCTION(memset_d16_async, cuMemsetD16Async);
  TUNA_LIBRARY_FUNCTION(memset_d32_async, cuMemsetD32Async);
  TUNA_LIBRARY_FUNCTION(module_load_data, cuModuleLoadData);
  TUNA_LIBRARY_FUNCTION(module_unload, cuModuleUnload);
  TUNA_LIBRARY_FUNCTION(module_get_function, cuModuleGetFunction);
  // A global (__constant__ or __device__) of a loaded module: its address and size.
  TUNA_LIBRARY_FUNCTION(module_get_global, cuModuleGetGlobal_v2);
  TUNA_LIBRARY_FUNCTION(func_get_attribute, cuFuncGetAttribute);
  TUNA_LIBRARY_FUNCTION(func_set_attribute, cuFuncSetAttribute);
  TUNA_LIBRARY_FUNCTION(launch_kernel, cuLaunchKernel);
  TUNA_LIBRARY_FUNCTION(occupancy_max_active_blocks, cuOccupancyMaxActiveBlocksPerMultiprocessor);
  TUNA_LIBRARY_FUNCTION(stream_create, cuStreamCreate);
  TUNA_LIBRARY_FUNCTION(stream_destroy, cuStreamDestroy_v2);
  TUNA_LIBRARY_FUNCTION(stream_synchronize, cuStreamSynchronize);
  TUNA_LIBRARY_FUNCTION(event_create, cuEventCreate);
  TUNA_LIBRARY_FUNCTION(event_destroy, cuEventDestroy_v2);
  TUNA_LIBRARY_FUNCTION(event_record, cuEventRecord);
  TUNA_LIBRARY_FUNCTION(event_synchronize, cuEventSynchronize);
  // cuEventElapsedTime_v2 (CUDA 12.8+) or the original; both have this signature.
  decltype(&::cuEventElapsedTime_v2) event_elapsed_time =
      symbols_.get_first<decltype(&::cuEventElapsedTime_v2)>(
          {"cuEventElapsedTime_v2", "cuEventElapsedTime"});
};

}  // namespace tuna::cuda
