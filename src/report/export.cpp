// `tuna export --format json`: what tuna::Lookup reads (schema in docs/json.md, "export").
#include "report/export.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/codec.hpp"

namespace tuna::report {
namespace {

using nlohmann::ordered_json;

ordered_json config_object(const Space& space, const Config& config) {
  ordered_json out = ordered_json::object();
  for (std::size_t i = 0; i < space.params().size(); ++i)
    out[space.params()[i].name] = codec::to_json(config[i]);
  return out;
}

const char* type_name(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int: return "int";
    case ValueKind::Float: return "float";
    case ValueKind::Bool: return "bool";
    case ValueKind::String: return "string";
  }
  return "string";
}

ordered_json entry_json(const Space& space, const ExportEntry& e) {
  return {{"device", e.context.device_name},
          {"device_id", e.context.device_id},
          {"backend", e.context.backend},
          {"problem", e.context.problem},
          {"spec_hash", e.context.spec_hash},
          {"config", config_object(space, e.best.config)},
          {"key", e.best.key},
          {"median_ms", e.best.median_ms},
          {"times_ms", e.best.times_ms},
          {"results_considered", e.results_considered},
          {"measured_at", e.best.finished_at}};
}

}  // namespace

std::string export_json(const ExportInput& in) {
  ordered_json out = {{"schema_version", 1},
                      {"kernel", in.kernel_name},
                      {"generated_at", in.generated_at},
                      {"current_problem", in.current_problem}};
  Config defaults = in.space.default_config();
  ordered_json params = ordered_json::array();
  for (std::size_t i = 0; i < in.space.params().size(); ++i)
    params.push_back({{"name", in.space.params()[i].name}, {"type", type_name(defaults[i])}});
  out["parameters"] = params;
  out["defaults"] = config_object(in.space, defaults);
  // The primary entry's fields at the top level, as this format had them before it carried
  // several entries: readers of one config need not look into "entries".
  if (in.primary) {
    ordered_json primary = entry_json(in.space, in.entries.at(*in.primary));
    for (const auto& [name, value] : primary.items()) out[name] = value;
  }
  ordered_json entries = ordered_json::array();
  for (const ExportEntry& e : in.entries) entries.push_back(entry_json(in.space, e));
  out["entries"] = entries;
  return out.dump(2) + "\n";
}

}  // namespace tuna::report
