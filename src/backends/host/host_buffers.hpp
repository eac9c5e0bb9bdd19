#pragma once
// The kernel's arguments in host memory: allocation (64-byte aligned), seeded initialisation,
// the poison pattern for outputs, and the pointer array handed to `tuna_entry`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

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

// Fills `count` elements of `arg.dtype` at `data` per arg.init. Random values come from
// std::mt19937_64 seeded with seed + arg_index, uniform in [random_lo, random_hi] (for integer
// types the integers in that range); the result is never all zeros. Throws UserError for an
// init the dtype cannot hold (a fractional constant for an integer type, an empty range).
void fill_initial(const Argument& arg, std::uint64_t seed, std::size_t arg_index,
                  unsigned char* data, std::int64_t count);

// Fills with a value a kernel is unlikely to compute: quiet NaN for floats, 0x7EADBEEF...
// truncated to the width for integers.
void fill_poison(Dtype dtype, unsigned char* data, std::int64_t count);

// Writes `value` as `arg.dtype` into `slot` (8 bytes). Throws UserError when it does not fit
// (a fraction for an integer type, a value outside the type's range, a string).
void store_scalar(const Argument& arg, const Value& value, unsigned char* slot);

// A scalar argument's value in `env` (constants, device facts, the config). Throws UserError
// naming the argument and its expression when it fails. Shared with the CUDA backend.
Value evaluate_scalar(const Argument& arg, const Env& env);

class HostArguments {
 public:
  // Evaluates each buffer's count from the problem constants and device facts, allocates and
  // initialises it, keeps the initial contents of inputs and inouts, and poisons outputs.
  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed);
  bool prepared() const { return prepared_; }

  // Inputs and inouts back to their initial contents (a kernel that scribbles on an input
  // cannot affect the next run), outputs poisoned.
  void reset_outputs();

  // One pointer per argument for tuna_entry. Scalars are evaluated in `env` (constants, device
  // facts and the config), so a scalar may pass a parameter at run time.
  std::vector<void*> bind(const Env& env);

  // Outputs and inouts, in declaration order.
  std::vector<OutputBuffer> read_outputs() const;

 private:
  struct Slot {
    Argument arg;
    std::int64_t count = 0;
    AlignedBytes data;                   // buffers
    std::vector<unsigned char> initial;  // inputs and inouts
    alignas(8) unsigned char scalar[8] = {};
  };
  std::vector<Slot> slots_;
  bool prepared_ = false;
};

}  // namespace tuna::host
