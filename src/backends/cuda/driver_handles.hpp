#pragma once
// RAII owners of driver objects (context, memory, stream, event, module) and the error type
// every checked driver call throws. Destructors ignore errors on purpose: after a sticky error
// every call fails, and the worker is about to exit anyway.
#include <cuda.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "backends/cuda/driver_api.hpp"

namespace tuna::cuda {

// A failed driver call: the CUDA error's name ("CUDA_ERROR_ILLEGAL_ADDRESS") and a message
// naming what tuna was doing.
class CudaFailure : public std::runtime_error {
 public:
  CudaFailure(CUresult result, std::string name, const std::string& message, bool asynchronous)
      : std::runtime_error(message),
        result_(result),
        name_(std::move(name)),
        asynchronous_(asynchronous) {}
  CUresult result() const { return result_; }
  const std::string& name() const { return name_; }
  // Sticky, or reported while waiting for the device: the failing work already ran there, and
  // the context cannot be trusted any more.
  bool fatal() const;

 private:
  CUresult result_;
  std::string name_;
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
  DeviceMemory(DeviceMemory&& other) noexcept
      : driver_(other.driver_), pointer_(std::exchange(other.pointer_, 0)), bytes_(other.bytes_) {}
  DeviceMemory& operator=(DeviceMemory&& other) noexcept {
    if (this != &other) {
      release();
      driver_ = other.driver_;
      pointer_ = std::exchange(other.pointer_, 0);
      bytes_ = other.bytes_;
    }
    return *this;
  }
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
  ~DeviceMemory() { release(); }

  CUdeviceptr get() const { return pointer_; }
  // The kernel argument slot: cuLaunchKernel reads the pointer value from this address.
  CUdeviceptr* slot() { return &pointer_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void release();
  const DriverApi* driver_ = nullptr;
  CUdeviceptr pointer_ = 0;
  std::size_t bytes_ = 0;
};

class Stream {
 public:
  explicit Stream(const DriverApi& driver);
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();
  CUstream get() const { return stream_; }

 private:
  const DriverApi& driver_;
  CUstream stream_ = nullptr;
};

class Event {
 public:
  explicit Event(const DriverApi& driver);
  Event(Event&& other) noexcept
      : driver_(other.driver_), event_(std::exchange(other.event_, nullptr)) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  Event& operator=(Event&&) = delete;
  ~Event();
  CUevent get() const { return event_; }

 private:
  const DriverApi& driver_;
  CUevent event_ = nullptr;
};

class Module {
 public:
  // Loads a cubin image. Throws CudaFailure (e.g. CUDA_ERROR_NO_BINARY_FOR_GPU).
  Module(const DriverApi& driver, const std::string& image, std::string_view name);
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();
  CUmodule get() const { return module_; }

 private:
  const DriverApi& driver_;
  CUmodule module_ = nullptr;
};

}  // namespace tuna::cuda
