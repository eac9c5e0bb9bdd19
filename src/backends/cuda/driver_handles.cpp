#include "backends/cuda/driver_handles.hpp"

#include <fmt/format.h>

namespace tuna::cuda {

void check(const DriverApi& driver, CUresult result, std::string_view what) {
  if (result == CUDA_SUCCESS) return;
  throw CudaFailure(result, driver.error_name(result),
                    fmt::format("{}: {}", what, driver.error_string(result)), false);
}

void check_wait(const DriverApi& driver, CUresult result, std::string_view what) {
  if (result == CUDA_SUCCESS) return;
  throw CudaFailure(result, driver.error_name(result),
                    fmt::format("{}: {}", what, driver.error_string(result)), true);
}

bool CudaFailure::fatal() const { return asynchronous_ || is_sticky(result_); }

bool is_sticky(CUresult result) {
  switch (result) {
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ASSERT:
    case CUDA_ERROR_LAUNCH_TIMEOUT:
    case CUDA_ERROR_ECC_UNCORRECTABLE:
    case CUDA_ERROR_CONTEXT_IS_DESTROYED:
    case CUDA_ERROR_CONTEXT_ALREADY_IN_USE:
    case CUDA_ERROR_NVLINK_UNCORRECTABLE:
    case CUDA_ERROR_UNKNOWN:
      return true;
    default:
      return false;
  }
}

PrimaryContext::PrimaryContext(const DriverApi& driver, CUdevice device)
    : driver_(driver), device_(device) {
  CUcontext context = nullptr;
  check(driver_, driver_.primary_ctx_retain(&context, device_), "creating the CUDA context");
  CUresult current = driver_.ctx_set_current(context);
  if (current != CUDA_SUCCESS) {
    driver_.primary_ctx_release(device_);
    check(driver_, current, "making the CUDA context current");
  }
}

PrimaryContext::~PrimaryContext() { driver_.primary_ctx_release(device_); }

DeviceMemory::DeviceMemory(const DriverApi& driver, std::size_t bytes) : bytes_(bytes) {
  CUdeviceptr pointer = 0;
  // A zero-byte allocation is an error for the driver; one byte keeps every pointer distinct.
  check(driver, driver.mem_alloc(&pointer, bytes == 0 ? 1 : bytes),
        fmt::format("allocating {} bytes of device memory", bytes));
  memory_ = backends::OwnedHandle<CUdeviceptr, CUresult>(pointer, driver.mem_free);
}

Stream make_stream(const DriverApi& driver) {
  CUstream stream = nullptr;
  check(driver, driver.stream_create(&stream, CU_STREAM_NON_BLOCKING), "creating a stream");
  return Stream(stream, driver.stream_destroy);
}

Event make_event(const DriverApi& driver) {
  CUevent event = nullptr;
  // Blocking sync: the worker sleeps while it waits instead of spinning a core that the
  // compile pool could use.
  check(driver, driver.event_create(&event, CU_EVENT_BLOCKING_SYNC), "creating an event");
  return Event(event, driver.event_destroy);
}

Module load_module(const DriverApi& driver, const std::string& image, std::string_view name) {
  CUmodule module = nullptr;
  check(driver, driver.module_load_data(&module, image.data()),
        fmt::format("loading the cubin {}", name));
  return Module(module, driver.module_unload);
}

}  // namespace tuna::cuda
