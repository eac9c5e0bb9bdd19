#pragma once
// Correctness check of a config's outputs against the reference outputs (the default config's,
// a reference kernel's, or the expected files'). An element passes when
// |out - ref| <= atol + rtol * max|ref|, where
// max|ref| is the largest magnitude in that reference buffer: rtol scales with the output's
// magnitude, so sums reordered by a different blocking still pass while a wrong element fails.
#include <string>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/spec.hpp"

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

// Reference::Expected: each output or inout that has an `expected` file, read from it (once per
// run), in declaration order. Buffers are sized in `sizes` (constants and device facts), as the
// run lays them out. Throws UserError naming the argument when a file cannot be read or no longer
// fits its argument.
ReferenceOutputs expected_reference(const KernelSpec& spec, const Env& sizes);

// Compares each reference buffer with the output of the same name; outputs the reference does
// not hold (with Reference::Expected, those without an expected file) are not compared. Typed
// elements are compared without per-element dispatch, split over the cores for large buffers
// (the bench worker waits on this for every checked run). The first failing element reported is
// the one with the lowest index, whatever the split.
CheckOutcome check_outputs(const ReferenceOutputs& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol);
CheckOutcome check_outputs(const std::vector<OutputBuffer>& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol);

// The outcome of summaries of compared buffers (from check_outputs or a device-side check,
// Backend::check_on_device): ok when no element failed; the message names the first failing
// element of the first buffer with one, and how many differ.
CheckOutcome outcome_of(const std::vector<BufferCheck>& checks);

// Element `i` of a buffer as a double (f16 decoded, integers converted).
double element_as_double(const OutputBuffer& buffer, std::size_t i);
std::size_t element_count(const OutputBuffer& buffer);

}  // namespace tuna::eval
