#pragma once
// The [device] table of a sim spec: the recorded device's name and facts (SMs or CUs, warp or
// wavefront width, shared memory and registers, L2, bandwidth, clocks, peak rates), so that the
// LLM's prompt describes the device the recording was measured on and constraints may read
// `device.*` on a replay. Real backends ask their device instead, so only sim specs take it.
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/spec_diag.hpp"
#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// The fact names a [device] table may hold besides `name`, the same names the CUDA and OpenCL
// backends report, so constraints and prompts read them alike on a replay and on the device.
const std::vector<std::string>& recorded_device_fact_names();

// Reads [device] (when present) into spec.recorded_device. Unknown keys, non-numeric facts
// (other than the string facts) and [device] on a backend other than sim are errors that name
// the key.
void parse_device_table(const toml::table& root, KernelSpec& spec, const SpecLocations& loc);

// Appends "\n[device]\n..." when the spec states a recorded device.
void write_device_table(std::string& out, const KernelSpec& spec);

}  // namespace tuna::spec_internal
