#pragma once
// The correctness check on the GPU (Backend::keep_reference_on_device / check_on_device): the
// reference outputs are kept in device memory next to the outputs, and each checked run is
// compared there by the check kernels (check_kernels.hpp), copying back 24 bytes per buffer and
// two elements when one failed, instead of every output. A 1 GiB output is read twice at device
// bandwidth (well under a millisecond on an H100) rather than copied over PCIe and compared on
// the host's cores. docs/backends/cuda.md, "Correctness check".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/cuda/driver_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::cuda {

// An output (or inout) argument where it lies on the device.
struct DeviceOutput {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::uint64_t count = 0;
  CUdeviceptr data = 0;
};

class DeviceCheck {
 public:
  // `cubin`: compile_check_kernels' output for this device. Throws CudaFailure when it cannot be
  // loaded.
  DeviceCheck(const DriverApi& driver, const std::string& cubin, CUstream stream, int sm_count);

  // Copies the reference into device memory: `outputs` themselves, or with `expected` the host
  // buffers of those names (each must match an output's type and size). Computes each
  // reference's largest finite magnitude there. Throws CudaFailure (out of device memory).
  void keep(const std::vector<DeviceOutput>& outputs, const std::vector<OutputBuffer>* expected);

  // Compares `outputs` with the kept reference, buffer by buffer in the reference's order.
  std::vector<BufferCheck> compare(const std::vector<DeviceOutput>& outputs, double atol,
                                   double rtol);

 private:
  struct Reference {
    DeviceOutput where;      // the kept copy
    DeviceMemory memory;     // owns where.data
    double max_magnitude = 0;
  };
  CUfunction kernel(const char* kind, Dtype dtype);
  void clear_summary();
  void launch(CUfunction function, std::uint64_t count, std::vector<void*> params);
  double element(Dtype dtype, CUdeviceptr base, std::uint64_t index);

  const DriverApi& driver_;
  Module module_;
  CUstream stream_;
  int blocks_;
  DeviceMemory summary_;  // one CompareSummary, reused
  std::vector<Reference> references_;
};

}  // namespace tuna::cuda
