#pragma once
// The kernels of the device-side correctness check (device_check.hpp), one pair per element
// type: `tuna_magnitude_<type>` (the largest finite |ref|, once per reference) and
// `tuna_compare_<type>` (max error, failure count, lowest failing index, per checked run). The
// rule is eval/correctness.hpp's, element for element: compared as doubles, equal non-finite
// values pass, a NaN difference is infinite, an element fails when its error exceeds the
// tolerance.
#include <cstddef>
#include <set>
#include <string>

#include "backends/common/device_check_support.hpp"
#include "tuna/spec.hpp"

namespace tuna::cuda {

class NvrtcApi;

// What tuna_compare_* accumulates on the device; copied back after each check (24 bytes).
using CompareSummary = backends::CheckSummary;
// DeviceCheck clears the first 16 bytes to zero and the last 8 to ones.
static_assert(sizeof(CompareSummary) == 24 && offsetof(CompareSummary, first_failure) == 16);

// "tuna_compare_f16", "tuna_magnitude_u8", ...
std::string check_kernel_name(const char* kind, Dtype dtype);

// The cubin of the check kernels of each of `dtypes` for a device of `compute_capability`
// (major * 10 + minor). Only the types a spec's outputs use: all eleven took 0.3 s of NVRTC on
// the development machine, one 0.05 s. Throws UserError when NVRTC fails (it should not: the
// source is tuna's).
std::string compile_check_kernels(const NvrtcApi& nvrtc, int compute_capability,
                                  const std::set<Dtype>& dtypes);

}  // namespace tuna::cuda
