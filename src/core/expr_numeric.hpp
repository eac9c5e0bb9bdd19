#pragma once
// Exact numeric comparison across int, float and bool, shared by Value and the expression
// machine so that `1 == 1.0 == true` holds the same way everywhere.
#include <compare>
#include <cstdint>

#include "tuna/value.hpp"

namespace tuna {

// Compares without rounding i to double (which would lose precision above 2^53).
std::partial_ordering compare_int_double(std::int64_t i, double d);
// Both must be numbers (int, float or bool).
std::partial_ordering compare_numbers(const Value& a, const Value& b);

}  // namespace tuna
