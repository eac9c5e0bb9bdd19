#pragma once
// RAII owners of driver objects (context, memory, stream, event, module) and the error type
// every checked driver call throws. Destructors ignore errors on purpose: after a sticky error
// every call fails, and the worker is about to exit anyway.
#include <cuda.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "backends/common/device_failure.hpp"
#include "backends/common/owned_handle.hpp"
#include "backends/cuda/driver_api.hpp"

namespace tuna::cuda {

// A failed driver call: the CUDA error's name ("CUDA_ERROR_ILLEGAL_ADDRESS") and a message
// naming what tuna was doing.
class CudaFailure : public backends::DeviceFailure {
 public:
  CudaFailure(CUresult result, std::string name, const std::string& message, bool asynchronous)
      : DeviceFailure(std::move(name), message), result_(result), asynchronous_(asynchronous) {}
  CUresult result() const { return result_; }
  // Sticky, or reported while waiting for the device: the failing work already ran there, and
  // the context cannot be trusted any more.
  bool fatal() const override;

 private:
  CUresult result_;
  bool asynchronous_;
};

// Throws CudaFailure when `result` is not CUDA_SUCCESS; `what` says what was being done.
void check(const DriverApi& driver, CUresult result, std::string_view what);
// The same for calls that wait for the device (synchronize, elapsed time): their errors come
// from kernels that already ran, so they are fatal.
void check_wait(const DriverApi& driver, CUresult result, std::string_view what);

// Errors after which the context is unusable (every later call fails): the process that owns
// it must exit. See docs/backends/cuda.md.
bool is_sticky(CUresult result);

class PrimaryContext {
 public:
  PrimaryContext(const DriverApi& driver, CUdevice device);
  PrimaryContext(const PrimaryContext&) = delete;
  PrimaryContext& operator=(const PrimaryContext&) = delete;
  ~PrimaryContext();

 private:
  const DriverApi& driver_;
  CUdevice device_;
};

class DeviceMemory {
 public:
  DeviceMemory() = default;
  DeviceMemory(const DriverApi& driver, std::size_t bytes);

  CUdeviceptr get() const { return memory_.get(); }
  // The kernel argument slot: cuLaunchKernel reads the pointer value from this address.
  void* slot() { return const_cast<CUdeviceptr*>(memory_.address()); }
  std::size_t bytes() const { return bytes_; }

 private:
  backends::OwnedHandle<CUdeviceptr, CUresult> memory_;
  std::size_t bytes_ = 0;
};

using Stream = backends::OwnedHandle<CUstream, CUresult>;
using Event = backends::OwnedHandle<CUevent, CUresult>;
using Module = backends::OwnedHandle<CUmodule, CUresult>;

// A non-blocking stream. Throws CudaFailure.
Stream make_stream(const DriverApi& driver);
// An event with blocking sync. Throws CudaFailure.
Event make_event(const DriverApi& driver);
// Loads a cubin image. Throws CudaFailure (e.g. CUDA_ERROR_NO_BINARY_FOR_GPU).
Module load_module(const DriverApi& driver, const std::string& image, std::string_view name);

}  // namespace tuna::cuda
