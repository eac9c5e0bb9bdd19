#pragma once
// RAII for the handles of a C API loaded at run time (CUDA streams, OpenCL buffers, ...): one
// owner per handle, released once on destruction with the API's own release function, which
// the loaded API holds as a plain function pointer. The release's result is ignored on purpose:
// after a device error every call may fail, and the process is about to replace the context.
#include <utility>

namespace tuna::backends {

template <class Handle, class Result>
class OwnedHandle {
 public:
  using Release = Result (*)(Handle);
  OwnedHandle() = default;
  OwnedHandle(Handle handle, Release release) : handle_(handle), release_(release) {}
  OwnedHandle(OwnedHandle&& other) noexcept
      : handle_(std::exchange(other.handle_, Handle{})), release_(other.release_) {}
  OwnedHandle& operator=(OwnedHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, Handle{});
      release_ = other.release_;
    }
    return *this;
  }
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;
  ~OwnedHandle() { reset(); }

  Handle get() const { return handle_; }
  // For calls that take the handle's address (clSetKernelArg, clWaitForEvents).
  const Handle* address() const { return &handle_; }
  explicit operator bool() const { return handle_ != Handle{}; }
  void reset() {
    if (handle_ != Handle{} && release_ != nullptr) release_(handle_);
    handle_ = Handle{};
  }

 private:
  Handle handle_{};
  Release release_ = nullptr;
};

}  // namespace tuna::backends
