#include "core/spec_device.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/spec_toml_section.hpp"
#include "core/spec_write.hpp"

namespace tuna::spec_internal {
namespace {

// Facts whose values are text rather than numbers.
const std::vector<std::string> kStringFacts = {"vendor", "architecture"};

bool is_string_fact(std::string_view name) {
  return std::find(kStringFacts.begin(), kStringFacts.end(), name) != kStringFacts.end();
}

Value fact_value(const toml::node& node, const std::string& key, const std::string& name,
                 const SpecLocations& loc) {
  Value v = value_from_node(node, key, loc);
  if (is_string_fact(name)) {
    if (!v.is_string())
      loc.fail(key, fmt::format("expected a string, got {}", toml_type_phrase(node)),
               fmt::format("Write {} = \"...\"", name));
    return v;
  }
  if (!v.is_number() || v.is_bool() || v.as_double() < 0)
    loc.fail(key, fmt::format("expected a number of at least 0, got {}", v.to_string()),
             "Device facts are counts, bytes, MHz, GB/s or GFLOP/s (docs/backends/sim.md)");
  return v;
}

// TOML text that reads back as the same kind of value (a float keeps its decimal point).
std::string fact_text(const Value& v) {
  if (v.is_string()) return toml_quote(v.as_string());
  if (v.kind() != ValueKind::Float) return v.to_string();
  std::string text = fmt::format("{}", v.as_double());
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

const std::vector<std::string>& recorded_device_fact_names() {
  static const std::vector<std::string> kNames = {
      "vendor", "architecture", "compute_capability",
      // NVIDIA names the multiprocessor an SM and the thread group a warp; AMD says compute unit
      // and wavefront. Both spellings are kept so a constraint reads the vendor's own word.
      "sm_count", "compute_units", "warp_size", "wavefront_size", "max_threads_per_block",
      "max_threads_per_sm", "max_blocks_per_sm", "shared_memory_per_block",
      "shared_memory_per_block_optin", "shared_memory_per_sm", "registers_per_block",
      "registers_per_sm", "l2_bytes", "infinity_cache_bytes", "total_memory_bytes",
      "memory_bandwidth_gbps", "memory_bus_width_bits", "memory_clock_mhz", "sm_clock_mhz",
      "peak_fp32_gflops", "peak_fp16_gflops", "peak_fp64_gflops", "peak_fp16_tensor_gflops"};
  return kNames;
}

void parse_device_table(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  const toml::node* node = root.get("device");
  if (!node) return;
  const toml::table* t = node->as_table();
  if (!t)
    loc.fail("device", fmt::format("expected a table, got {}", toml_type_phrase(*node)),
             "Write it as a table: [device] on its own line, then name = \"...\" and its facts");
  if (spec.backend != "sim")
    loc.fail("device",
             fmt::format("a [device] table states a recorded device, but this spec's backend is "
                         "'{}', which asks its device for the facts",
                         spec.backend),
             "Remove [device], or set backend = \"sim\" to replay a recording");
  const TomlSection s(*t, "device", loc);
  std::vector<std::string> allowed = recorded_device_fact_names();
  allowed.insert(allowed.begin(), "name");
  s.allow_only(allowed);
  DeviceInfo device;
  device.name = s.required_string("name", "Add name = \"<the recorded device's name>\"");
  for (const auto& [name, value_node] : entries_in_file_order(*t)) {
    if (name == "name") continue;
    device.facts.set(name, fact_value(*value_node, s.key(name), name, loc));
  }
  spec.recorded_device = std::move(device);
}

void write_device_table(std::string& out, const KernelSpec& spec) {
  if (!spec.recorded_device) return;
  out += "\n[device]\n";
  out += fmt::format("name = {}\n", toml_quote(spec.recorded_device->name));
  // In the order of recorded_device_fact_names: related facts stay together, on every write.
  for (const std::string& name : recorded_device_fact_names()) {
    const Value* v = spec.recorded_device->facts.find(name);
    if (!v) continue;
    out += fmt::format("{} = {}\n", name, fact_text(*v));
  }
}

}  // namespace tuna::spec_internal
