#pragma once
// A parameter's value list from integers, for the spaces tests build by hand.
#include <initializer_list>
#include <vector>

#include "tuna/value.hpp"

namespace tuna::testing {

inline std::vector<Value> ints(std::initializer_list<int> v) {
  std::vector<Value> out;
  for (int x : v) out.emplace_back(x);
  return out;
}

}  // namespace tuna::testing
