#pragma once
// The correctness check on the OpenCL device (Backend::keep_reference_on_device /
// check_on_device), as the CUDA backend's (backends/cuda/device_check.hpp): the reference
// outputs are kept in device buffers beside the outputs, and each checked run is compared there
// by tuna's check kernels, one work-group reduction and one 64-bit atomic per group, copying
// back 24 bytes per buffer and two elements when one failed, instead of every output. The rule
// is eval/correctness.hpp's, element for element: compared as doubles, equal non-finite values
// pass, a NaN difference is infinite, an element fails when its error exceeds the tolerance.
// Needs doubles and 64-bit atomics (cl_khr_fp64, cl_khr_int64_base_atomics and
// cl_khr_int64_extended_atomics); devices without them compare on the host.
// docs/backends/opencl.md, "Correctness check".
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "backends/common/device_check_support.hpp"
#include "backends/opencl/cl_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::opencl {

// An output (or inout) argument where it lies on the device.
struct ClDeviceOutput {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::uint64_t count = 0;
  cl_mem data = nullptr;
};

// Whether `device` has what the check kernels need (doubles, 64-bit atomics); when not, why
// not ("" when it has).
std::string device_check_unsupported(const OpenClApi& api, cl_device_id device);

// Whether the backend should check on `device` at all: not on a CPU device, whose "device
// memory" is the host's, so that reading the outputs back is a memcpy and the host check on
// every core is faster (0.25 s against 1.0 s per checked run of a 256 MiB output on PoCL, two
// cores, bench/bench_check).
bool worth_checking_on(const OpenClApi& api, cl_device_id device);

// The check kernels' source for `dtypes` (f16 has none: the OpenCL backend passes no f16
// buffers), for a work-group of `group_size` work-items (a power of two).
std::string check_kernels_source(const std::set<Dtype>& dtypes, std::size_t group_size);

class ClDeviceCheck {
 public:
  // Builds the check kernels for `dtypes` in `context` for `device`, enqueuing on `queue`.
  // Throws ClFailure when the device refuses them (the caller then checks on the host).
  ClDeviceCheck(const OpenClApi& api, cl_context context, cl_device_id device,
                cl_command_queue queue, const std::set<Dtype>& dtypes);

  // Copies the reference into device buffers: `outputs` themselves, or with `expected` the host
  // buffers of those names (each must match an output's type and size). Computes each
  // reference's largest finite magnitude there. Throws ClFailure (out of device memory).
  void keep(const std::vector<ClDeviceOutput>& outputs, const std::vector<OutputBuffer>* expected);

  // Compares `outputs` with the kept reference, buffer by buffer in the reference's order.
  std::vector<BufferCheck> compare(const std::vector<ClDeviceOutput>& outputs, double atol,
                                   double rtol);

 private:
  struct Reference {
    ClDeviceOutput where;  // the kept copy
    MemObject memory;      // owns where.data
    double max_magnitude = 0;
  };
  cl_kernel kernel(const char* kind, Dtype dtype);
  void clear_summary();
  // Runs a check kernel over `count` elements of `buffers` (then the tolerance, when given) and
  // reads its summary back.
  backends::CheckSummary run(cl_kernel kernel, std::uint64_t count,
                             const std::vector<cl_mem>& buffers, const double* tolerance);
  double element(Dtype dtype, cl_mem buffer, std::uint64_t index);

  const OpenClApi& api_;
  cl_context context_;
  cl_command_queue queue_;
  std::size_t group_size_;
  std::size_t groups_;
  Program program_;
  std::vector<std::pair<std::string, Kernel>> kernels_;  // by name, created on first use
  MemObject summary_;  // one Summary, reused
  std::vector<Reference> references_;
};

}  // namespace tuna::opencl
