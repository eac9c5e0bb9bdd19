#pragma once
// Choosing the OpenCL platform and device, and describing the device as DeviceInfo facts
// (device.* in expressions). docs/backends/opencl.md lists every fact and its CUDA alias.
#include <string>
#include <string_view>
#include <vector>

#include "backends/opencl/opencl_api.hpp"
#include "tuna/device.hpp"

namespace tuna::opencl {

struct DeviceChoice {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  int platform_index = 0;
  int device_index = 0;  // within its platform
};

// One device as the selection sees it.
struct Candidate {
  DeviceChoice choice;
  std::string platform_name;
  std::string device_name;
  bool is_gpu = false;
};

// True when `selector` (an index or a case-insensitive substring of the name) picks the item
// at `index` named `name`. An empty selector picks everything.
bool selector_matches(std::string_view selector, int index, std::string_view name);

// Picks from `candidates` per the selectors ($TUNA_OPENCL_PLATFORM, $TUNA_OPENCL_DEVICE): a
// device index counts within its platform. Without a device selector: the first GPU, else the
// first device. Throws UserError listing the candidates when nothing matches.
Candidate choose_device(const std::vector<Candidate>& candidates, std::string_view platform,
                        std::string_view device);

// Every device of every platform the ICD loader finds. Throws UserError when there is none.
std::vector<Candidate> list_devices(const OpenClApi& api);

// The selection from the environment.
DeviceChoice select_device(const OpenClApi& api);

// Every fact of the chosen device.
DeviceInfo query_device_info(const OpenClApi& api, const DeviceChoice& choice);

// Text and number queries of clGetDeviceInfo (empty / 0 when the device does not know them).
std::string device_string(const OpenClApi& api, cl_device_id device, cl_device_info what);
std::string platform_string(const OpenClApi& api, cl_platform_id platform, cl_platform_info what);

}  // namespace tuna::opencl
