#pragma once
// What the device checks of the CUDA and OpenCL backends share (backends/cuda/device_check.hpp,
// backends/opencl/device_check.hpp): whether to check on the device at all, which reference a
// kept output gets, the outputs a backend's arguments read back, and how a compare kernel's
// 24-byte summary becomes a BufferCheck.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

namespace tuna::backends {

// false when $TUNA_HOST_CHECK is set to anything but "" or "0": outputs are then compared on
// the host (to measure one against the other, or to rule the device check out).
bool device_check_enabled();

// What a compare (or magnitude) kernel accumulates on the device, as both backends lay it out.
struct CheckSummary {
  std::uint64_t max_error_bits = 0;  // the largest error, as the bits of a non-negative double
  std::uint64_t failures = 0;
  std::uint64_t first_failure = 0;  // ~0 when none failed
};
static_assert(sizeof(CheckSummary) == 24);

// Where an output's reference comes from when it is kept: the output itself (no expected
// files), an expected file's bytes, or nothing (expected files, but none for this output).
struct ReferenceSource {
  bool keep = true;
  const OutputBuffer* file = nullptr;  // with keep: the expected bytes, or nullptr for the output
};
// `expected` is the expected files (nullptr: none); each must match its output's type and size.
ReferenceSource reference_source(const std::vector<OutputBuffer>* expected,
                                 const std::string& name, Dtype dtype, std::uint64_t count);

// The buffer's check from a compare kernel's summary; `element(from_output, index)` reads one
// element of the output (true) or of the reference (false), for the first failure's message.
BufferCheck buffer_check(const std::string& name, std::uint64_t count, double tolerance,
                         const CheckSummary& summary,
                         const std::function<double(bool, std::uint64_t)>& element);

// The output of `outputs` whose name is `name`: every kept reference has one (a bug otherwise).
template <class Output>
const Output& output_named(const std::vector<Output>& outputs, const std::string& name) {
  for (const Output& out : outputs)
    if (out.name == name) return out;
  throw InternalError("no output for the reference buffer " + name);
}

// The element types of `outputs`: the check kernels a backend must have for them.
template <class Output>
std::set<Dtype> dtypes_of(const std::vector<Output>& outputs) {
  std::set<Dtype> dtypes;
  for (const Output& out : outputs) dtypes.insert(out.dtype);
  return dtypes;
}

// The outputs and inouts of a backend's staged arguments (`Slots`: StagedArguments::slots()),
// each as {name, dtype, count, where it lies}: `Output` is the backend's description of a
// device buffer, built from those four.
template <class Output, class Slots>
std::vector<Output> read_back_outputs(Slots& slots) {
  std::vector<Output> outputs;
  for (auto& slot : slots)
    if (is_read_back(slot.arg()))
      outputs.push_back({slot.arg().name, slot.arg().dtype,
                         static_cast<std::uint64_t>(slot.layout.count), slot.data.get()});
  return outputs;
}

}  // namespace tuna::backends
