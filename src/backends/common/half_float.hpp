#pragma once
// IEEE binary16 ("half") conversion, for f16 arguments: C++20 has no half type, so f16 data is
// made as float and converted here, and read back as double.
#include <cstdint>

namespace tuna::backends {

// The binary16 bits of `value`, rounded to nearest even (overflow to infinity, NaN kept NaN).
std::uint16_t float_to_half_bits(float value);

// The value of binary16 bits, exactly: subnormals, infinities and NaN included.
double half_bits_to_double(std::uint16_t bits);

}  // namespace tuna::backends
