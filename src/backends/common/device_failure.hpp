#pragma once
// A failed call into a device's API (CUDA driver, OpenCL), as the device backends throw it: the
// error's name ("CUDA_ERROR_ILLEGAL_ADDRESS", "CL_OUT_OF_RESOURCES"), a message naming what tuna
// was doing, and whether the device context may be unusable afterwards.
#include <stdexcept>
#include <string>
#include <utility>

namespace tuna::backends {

class DeviceFailure : public std::runtime_error {
 public:
  DeviceFailure(std::string name, const std::string& message)
      : std::runtime_error(message), name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  // True when the context cannot be trusted any more: the worker that owns it must be replaced.
  virtual bool fatal() const = 0;

 private:
  std::string name_;
};

}  // namespace tuna::backends
