#pragma once
// IEEE binary16 ("half") conversion, for f16 arguments: C++20 has no half type, so f16 data is
// made as float and converted here.
#include <cstdint>

namespace tuna::backends {

// The binary16 bits of `value`, rounded to nearest even (overflow to infinity, NaN kept NaN).
std::uint16_t float_to_half_bits(float value);

}  // namespace tuna::backends
