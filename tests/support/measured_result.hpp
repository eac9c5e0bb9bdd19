#pragma once
// A Result as a search records it, from a config written sparsely ("A=1,B=2"), for the tests that
// build measurement histories by hand.
#include <string_view>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna::testing {

// A correct measurement of `ms` (one repetition).
inline Result measured_ok(const Space& space, std::string_view sparse, double ms) {
  Result r;
  r.config = space.parse_key(sparse);
  r.key = space.key(r.config);
  r.median_ms = ms;
  r.times_ms = {ms};
  return r;
}

// A measurement that failed with `status`.
inline Result measured_failure(const Space& space, std::string_view sparse,
                               Status status = Status::RuntimeError) {
  Result r;
  r.config = space.parse_key(sparse);
  r.key = space.key(r.config);
  r.status = status;
  return r;
}

}  // namespace tuna::testing
