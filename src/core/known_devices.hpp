#pragma once
// Facts of GPUs that recordings are commonly measured on, looked up by the recorded device's
// name, so that a spec written by `tuna import --write-spec` describes the recorded device to the
// LLM (and to `device.*` in constraints) as a real backend would describe its own.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/device.hpp"

namespace tuna::sim {

// The facts of the device a recording names ("NVIDIA A100-PCIE-40GB", "NVIDIA GeForce RTX
// 3090", "AMD Instinct MI250X", ...), matched on the model's name whatever the vendor prefix,
// spacing or case; nullopt for a device not in the table. The DeviceInfo's name is the recorded
// name; backend and id are left to device_for_spec.
std::optional<DeviceInfo> known_recorded_device(std::string_view recorded_name);

// The model names known_recorded_device() recognises, for docs and messages.
std::vector<std::string> known_recorded_device_models();

}  // namespace tuna::sim
