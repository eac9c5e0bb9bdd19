#pragma once
// Which devices a run uses (`--devices 0,1`, `--devices all`) and how each bench worker and its
// compile children are pointed at theirs: through the backend's selection variable in their
// environment, the same variables the --cuda-device and --opencl-device flags set.
#include <string>
#include <utility>
#include <vector>

#include "tuna/device.hpp"

namespace tuna::eval {

using EnvList = std::vector<std::pair<std::string, std::string>>;

struct DeviceRequest {
  bool all = false;                    // every device the backend sees
  std::vector<std::string> selectors;  // otherwise these, in order; empty: the backend's default
};

// Parses the --devices text: "" (the default device), "all", or selectors separated by commas
// ("0,1", "0, 2"). Throws UserError for an empty item or a selector named twice.
DeviceRequest parse_device_request(const std::string& text);

// The variables that point `backend` at `selector`, laid over `base` (which may already choose
// a platform, say). Host and sim have one device per worker and need none.
EnvList selector_env(const std::string& backend, const std::string& selector, EnvList base);

// The selectors "all" stands for, given the device the backend chose by default: every index
// from 0 to device.device_count - 1 (within its platform for OpenCL, whose platform is then
// pinned in `base`). One device where the backend reports no count (host, sim).
std::vector<std::string> expand_all(const DeviceInfo& first, EnvList& base);

// What results measured on `device` carry in Result::device: "<backend>:<selector>", or the
// device's own index when no selector was given ("cuda:0").
std::string device_label(const DeviceInfo& device, const std::string& selector);

}  // namespace tuna::eval
