#include "eval/device_selection.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "tuna/errors.hpp"

namespace tuna::eval {
namespace {

std::string trim(std::string text) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), space));
  text.erase(std::find_if_not(text.rbegin(), text.rend(), space).base(), text.end());
  return text;
}

std::int64_t fact_or(const DeviceInfo& device, const std::string& name, std::int64_t fallback) {
  const Value* v = device.facts.find(name);
  return v && v->is_int() ? v->as_int() : fallback;
}

void set_env(EnvList& env, const std::string& name, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == name) {
      v = value;
      return;
    }
  }
  env.emplace_back(name, value);
}

}  // namespace

DeviceRequest parse_device_request(const std::string& text) {
  DeviceRequest request;
  std::string whole = trim(text);
  if (whole.empty()) return request;
  if (whole == "all") {
    request.all = true;
    return request;
  }
  std::set<std::string> seen;
  std::size_t start = 0;
  while (start <= whole.size()) {
    std::size_t comma = whole.find(',', start);
    if (comma == std::string::npos) comma = whole.size();
    std::string item = trim(whole.substr(start, comma - start));
    if (item.empty())
      throw UserError(fmt::format("--devices '{}': an empty item; write indices or names "
                                  "separated by commas, e.g. --devices 0,1, or --devices all",
                                  text));
    if (item == "all")
      throw UserError(fmt::format("--devices '{}': 'all' cannot be mixed with other devices", text));
    if (!seen.insert(item).second)
      throw UserError(fmt::format("--devices '{}': device '{}' is named twice; each device gets "
                                  "one bench worker",
                                  text, item));
    request.selectors.push_back(item);
    start = comma + 1;
  }
  return request;
}

namespace {

// The variable through which a backend's processes choose their device, or null for a backend
// of one device (host, sim). Triton kernels run on the CUDA runtime, which picks its GPU the
// same way as the cuda backend.
const char* device_variable(const std::string& backend) {
  if (backend == "cuda" || backend == "triton") return "TUNA_CUDA_DEVICE";
  if (backend == "opencl") return "TUNA_OPENCL_DEVICE";
  return nullptr;
}

}  // namespace

EnvList selector_env(const std::string& backend, const std::string& selector, EnvList base) {
  if (selector.empty()) return base;
  if (const char* variable = device_variable(backend)) set_env(base, variable, selector);
  return base;
}

std::vector<std::string> expand_all(const DeviceInfo& first, EnvList& base) {
  std::int64_t count = fact_or(first, "device_count", 1);
  if (first.backend == "opencl") {
    set_env(base, "TUNA_OPENCL_PLATFORM", std::to_string(fact_or(first, "platform_index", 0)));
  }
  if (device_variable(first.backend) == nullptr) count = 1;
  std::vector<std::string> selectors;
  for (std::int64_t i = 0; i < std::max<std::int64_t>(1, count); ++i) {
    selectors.push_back(std::to_string(i));
  }
  return selectors;
}

std::string device_label(const DeviceInfo& device, const std::string& selector) {
  if (!selector.empty()) return fmt::format("{}:{}", device.backend, selector);
  return fmt::format("{}:{}", device.backend, fact_or(device, "index", 0));
}

}  // namespace tuna::eval
