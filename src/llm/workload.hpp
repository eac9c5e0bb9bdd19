#pragma once
// What the kernel and the hardware are, for the prompt: the arithmetic and memory traffic of the
// problem (from the spec's metrics), its arithmetic intensity, and whether it is memory- or
// compute-bound on this device (from its peak rates, when the backend reports them).
#include <optional>
#include <string>
#include <vector>

#include "tuna/device.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::llm {

struct WorkloadAnalysis {
  std::optional<double> flops;             // per kernel call, at the default config
  std::optional<double> bytes;             // per kernel call, at the default config
  std::optional<double> intensity;         // flops / bytes
  std::optional<double> machine_balance;   // device peak flops / peak bytes per second
  std::string bound = "unknown";           // "memory", "compute" or "unknown"
  std::optional<double> peak_flops_per_s;  // from the device facts, when reported
  std::optional<double> peak_bytes_per_s;
  std::optional<double> min_time_ms;       // the roofline's lower bound: max(flops/peak, bytes/bw)
  std::vector<std::string> problems;       // metrics that failed to evaluate, one line each
};

// Device facts read as peak rates, the first present wins (a fact of 0 counts as absent):
//   FLOP/s: peak_fp32_gflops, peak_gflops (GFLOP/s); peak_flops (FLOP/s)
//   bytes/s: memory_bandwidth_gbps, peak_bandwidth_gbps (GB/s); memory_bandwidth_bytes_per_s;
//            else memory_clock_khz (or _mhz) with memory_bus_width_bits, as double data rate.
std::optional<double> device_peak_flops(const DeviceInfo& device);
std::optional<double> device_peak_bytes_per_s(const DeviceInfo& device);

WorkloadAnalysis analyze_workload(const KernelSpec& spec, const Space& space,
                                  const DeviceInfo& device);

// Text sections for the initial prompt. Pure functions: same inputs, same text.
std::string describe_workload(const WorkloadAnalysis& analysis);
std::string describe_hardware(const DeviceInfo& device);
// What one measured config achieves, for the refinement prompt: the spec's metrics evaluated at
// that config (they may depend on its parameters) over its time, as GFLOP/s and GB/s, with the
// share of the device's peak rates and the roofline bound when the device reports peaks.
// Empty when the spec gives no metrics, they fail to evaluate, or the time is not positive.
// `device` may be null: rates are then given without peaks.
std::string describe_achieved(const KernelSpec& spec, const Space& space, const DeviceInfo* device,
                              const Config& config, double time_ms);
// Arguments with dtype, element counts and bytes; problem constants with values.
std::string describe_arguments(const KernelSpec& spec, const Space& space,
                               const DeviceInfo& device);

}  // namespace tuna::llm
