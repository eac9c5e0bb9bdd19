#pragma once
// RAII for OpenCL objects: each handle calls its clRelease* once, on destruction. Objects are
// created with a reference count of one, so one owner per handle is enough.
#include <utility>

#include "backends/opencl/opencl_api.hpp"

namespace tuna::opencl {

template <class T>
class ClHandle {
 public:
  using Release = cl_int (*)(T);
  ClHandle() = default;
  ClHandle(T handle, Release release) : handle_(handle), release_(release) {}
  ClHandle(ClHandle&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), release_(other.release_) {}
  ClHandle& operator=(ClHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
      release_ = other.release_;
    }
    return *this;
  }
  ClHandle(const ClHandle&) = delete;
  ClHandle& operator=(const ClHandle&) = delete;
  ~ClHandle() { reset(); }

  T get() const { return handle_; }
  // For clSetKernelArg, which takes the address of a cl_mem.
  const T* address() const { return &handle_; }
  explicit operator bool() const { return handle_ != nullptr; }
  void reset() {
    if (handle_ != nullptr && release_ != nullptr) release_(handle_);
    handle_ = nullptr;
  }

 private:
  T handle_ = nullptr;
  Release release_ = nullptr;
};

using Context = ClHandle<cl_context>;
using Queue = ClHandle<cl_command_queue>;
using MemObject = ClHandle<cl_mem>;
using Program = ClHandle<cl_program>;
using Kernel = ClHandle<cl_kernel>;
using Event = ClHandle<cl_event>;

// A context holding only `device`. Throws ClFailure.
Context make_context(const OpenClApi& api, cl_device_id device);
// An in-order queue; with `profiling`, its events carry start and end times. Throws ClFailure.
Queue make_queue(const OpenClApi& api, cl_context context, cl_device_id device, bool profiling);

// The build log of `program` for `device` ("" when there is none).
std::string build_log(const OpenClApi& api, cl_program program, cl_device_id device);

// Builds `program` for `device` with `options`. Returns the OpenCL result; the log is read by
// the caller.
cl_int build(const OpenClApi& api, cl_program program, cl_device_id device,
             const std::string& options);

}  // namespace tuna::opencl
