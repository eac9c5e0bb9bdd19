#pragma once
// The bytes of a kernel's arguments, the same on every backend for one seed: seeded initial
// contents, the poison pattern outputs start from, and scalars stored as their dtype. f16 data
// is made as f32 and rounded to half precision.
#include <cstddef>
#include <cstdint>

#include "tuna/backend.hpp"

namespace tuna::backends {

// Fills `count` elements of `arg.dtype` at `data` per arg.init. Random values come from
// std::mt19937_64 seeded with seed + arg_index, uniform in [random_lo, random_hi] (for integer
// types the integers in that range); the result is never all zeros. InitKind::File reads the
// file (core/array_file.hpp), which must hold exactly `count` elements of the type. Throws
// UserError for an init the dtype cannot hold (a fractional constant for an integer type, an
// empty range) or a file that cannot be read.
void fill_initial(const Argument& arg, std::uint64_t seed, std::size_t arg_index,
                  unsigned char* data, std::int64_t count);

// The value outputs start from, one a kernel is unlikely to compute: a quiet NaN for floats,
// 0x7EADBEEF... truncated to the width for integers. Every dtype's poison is a word of 1, 2 or
// 4 bytes repeated (the f64 NaN is 0x7FF800007FF80000), so that devices fill it in place with a
// memset instead of copying a host pattern of the output's size before every checked run.
struct PoisonWord {
  std::uint32_t value;  // its low `bytes` bytes, little-endian
  unsigned bytes;       // 1, 2 or 4
};
PoisonWord poison_word(Dtype dtype);

// Fills `count` elements with the poison.
void fill_poison(Dtype dtype, unsigned char* data, std::int64_t count);

// Writes `value` as `arg.dtype` into `slot` (8 bytes). Throws UserError when it does not fit
// (a fraction for an integer type, a value outside the type's range, a string).
void store_scalar(const Argument& arg, const Value& value, unsigned char* slot);

// A scalar argument's value in `env` (constants, device facts, the config). Throws UserError
// naming the argument and its expression when it fails.
Value evaluate_scalar(const Argument& arg, const Env& env);

}  // namespace tuna::backends
