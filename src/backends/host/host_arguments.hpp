#pragma once
// The kernel's arguments in host memory (staged_arguments.hpp), 64-byte aligned, and the
// pointer array handed to `tuna_entry`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "backends/common/staged_arguments.hpp"
#include "tuna/backend.hpp"

namespace tuna::host {

inline constexpr std::size_t kBufferAlignment = 64;  // a cache line; enough for AVX-512 loads

class AlignedBytes {
 public:
  AlignedBytes() = default;
  // Throws UserError when the memory cannot be allocated.
  explicit AlignedBytes(std::size_t size);
  unsigned char* data() { return data_.get(); }
  const unsigned char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(unsigned char* p) const { std::free(p); }
  };
  std::unique_ptr<unsigned char[], Free> data_;
  std::size_t size_ = 0;
};

// Host memory: every copy is a memcpy, and outputs are poisoned in place.
struct HostMemory {
  using Buffer = AlignedBytes;
  Buffer allocate(std::size_t bytes, const std::string& /*what*/) { return Buffer(bytes); }
  void write(Buffer& to, const unsigned char* from, std::size_t bytes, bool /*wait*/,
             const std::string& /*what*/) {
    std::memcpy(to.data(), from, bytes);
  }
  void copy(Buffer& to, const Buffer& from, std::size_t bytes, const std::string& /*what*/) {
    std::memcpy(to.data(), from.data(), bytes);
  }
  void read(unsigned char* to, const Buffer& from, std::size_t bytes, const std::string&) {
    std::memcpy(to, from.data(), bytes);
  }
  void wait(const std::string& /*what*/) {}
  void poison(Buffer& to, Dtype dtype, std::int64_t count) {
    backends::fill_poison(dtype, to.data(), count);
  }
};

using HostArguments = backends::StagedArguments<HostMemory>;

// Rejects f16, which C++ has no portable type for, saying what to use instead.
void accept_host_argument(const Argument& arg);

}  // namespace tuna::host
