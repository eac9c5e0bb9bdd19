#pragma once
// NVML (libnvidia-ml.so.1, installed with the driver), loaded at run time and optional: it adds
// the current clocks, temperature and power to the device facts; without it they are left out.
// The toolkit ships no nvml.h, so the few types used are declared here from NVML's stable C ABI.
#include <optional>
#include <string>

namespace tuna::cuda {

struct NvmlReadings {
  std::optional<unsigned> sm_clock_mhz;
  std::optional<unsigned> memory_clock_mhz;
  std::optional<unsigned> max_sm_clock_mhz;
  std::optional<unsigned> max_memory_clock_mhz;
  std::optional<unsigned> temperature_c;
  std::optional<double> power_w;
  std::optional<double> power_limit_w;
};

// Readings for the GPU at `pci_bus_id` (from cuDeviceGetPCIBusId, which names the same GPU
// whatever CUDA_VISIBLE_DEVICES does to indices). Empty when NVML is absent or fails: NVML is a
// nicety, never a reason to stop.
NvmlReadings read_nvml(const std::string& pci_bus_id);

}  // namespace tuna::cuda
