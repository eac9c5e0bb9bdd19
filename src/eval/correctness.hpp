#pragma once
// Correctness check of a config's outputs against the reference outputs (the default config's,
// or a reference kernel's). An element passes when |out - ref| <= atol + rtol * max|ref|, where
// max|ref| is the largest magnitude in that reference buffer: rtol scales with the output's
// magnitude, so sums reordered by a different blocking still pass while a wrong element fails.
#include <string>
#include <vector>

#include "tuna/backend.hpp"

namespace tuna::eval {

struct CheckOutcome {
  bool ok = true;
  double max_abs_error = 0;
  std::string message;  // one line naming the first failing element, empty when ok
};

// The reference outputs with the largest magnitude of each buffer, computed once: outputs of a
// GiB are checked many times against the same reference.
struct ReferenceOutputs {
  std::vector<OutputBuffer> buffers;
  std::vector<double> max_magnitude;  // per buffer, over its finite elements
};
ReferenceOutputs make_reference_outputs(std::vector<OutputBuffer> buffers);

// Compares typed elements without per-element dispatch, split over the cores for large buffers
// (the bench worker waits on this for every checked run). The first failing element reported is
// the one with the lowest index, whatever the split.
CheckOutcome check_outputs(const ReferenceOutputs& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol);
CheckOutcome check_outputs(const std::vector<OutputBuffer>& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol);

// Element `i` of a buffer as a double (f16 decoded, integers converted).
double element_as_double(const OutputBuffer& buffer, std::size_t i);
std::size_t element_count(const OutputBuffer& buffer);

}  // namespace tuna::eval
