#pragma once
// What the kernel and the hardware are, for the prompt: the arithmetic and memory traffic of the
// problem (from the spec's metrics), its arithmetic intensity, and whether it is memory- or
// compute-bound on this device (from its peak rates, when the backend reports them).
#include <optional>
#include <string>

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
};

WorkloadAnalysis analyze_workload(const KernelSpec& spec, const Space& space,
                                  const DeviceInfo& device);

// Text sections for the initial prompt. Pure functions: same inputs, same text.
std::string describe_workload(const WorkloadAnalysis& analysis);
std::string describe_hardware(const DeviceInfo& device);
// Arguments with dtype, element counts and bytes; problem constants with values.
std::string describe_arguments(const KernelSpec& spec, const Space& space,
                               const DeviceInfo& device);

}  // namespace tuna::llm
