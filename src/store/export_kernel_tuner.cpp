// Kernel Tuner cache files, written from a recording.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <numeric>

#include "store/export_recording.hpp"
#include "store/import_json.hpp"

namespace tuna::store {

namespace {

using nlohmann::ordered_json;

// Kernel Tuner keys a cache entry by Python's str() of each value joined with ",".
std::string python_text(const Value& v) {
  if (v.is_bool()) return v.truthy() ? "True" : "False";
  return v.to_string();
}

ordered_json problem_json(const std::string& problem) {
  if (problem.empty()) return nullptr;
  ordered_json out = ordered_json::array();
  std::size_t start = 0;
  while (true) {
    std::size_t comma = problem.find(',', start);
    std::string item =
        problem.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Value v = parse_value_text(item);
    out.push_back(v.is_int() ? ordered_json(v.as_int()) : ordered_json(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out.size() == 1 ? out[0] : out;
}

double mean(const std::vector<double>& xs) {
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

}  // namespace

std::string kernel_tuner_failure_word(const RecordedEntry& e) {
  if (e.error_class == "CompilationFailedConfig" || e.error_class == "RuntimeFailedConfig" ||
      e.error_class == "InvalidConfig")
    return e.error_class;
  switch (e.status) {
    case Status::CompileError:
      return "CompilationFailedConfig";
    case Status::Invalid:
      return "InvalidConfig";
    default:
      return "RuntimeFailedConfig";
  }
}

std::string export_kernel_tuner_cache(const Recording& rec) {
  ordered_json doc;
  doc["device_name"] = rec.device_name;
  doc["kernel_name"] = rec.kernel_name;
  doc["problem_size"] = problem_json(rec.problem);
  doc["tune_params_keys"] = rec.param_names;
  ordered_json params = ordered_json::object();
  for (std::size_t i = 0; i < rec.param_names.size(); ++i) {
    ordered_json values = ordered_json::array();
    for (const auto& v : rec.param_values[i]) values.push_back(ordered_json(value_to_json(v)));
    params[rec.param_names[i]] = values;
  }
  doc["tune_params"] = params;
  doc["objective"] = "time";
  ordered_json cache = ordered_json::object();
  for (const auto& e : rec.entries) {
    std::string key;
    ordered_json entry = ordered_json::object();
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      if (i) key += ',';
      key += python_text(e.values[i]);
      entry[rec.param_names[i]] = ordered_json(value_to_json(e.values[i]));
    }
    if (e.status == Status::Ok)
      entry["time"] = e.times_ms.empty() ? e.time_ms : mean(e.times_ms);
    else
      entry["time"] = kernel_tuner_failure_word(e);
    if (!e.times_ms.empty()) entry["times"] = e.times_ms;
    entry["compile_time"] = e.compile_ms;
    entry["verification_time"] = e.verification_ms;
    entry["benchmark_time"] = e.benchmark_ms;
    entry["strategy_time"] = 0;
    entry["framework_time"] = e.framework_ms;
    if (!e.timestamp.empty()) entry["timestamp"] = e.timestamp;
    cache[key] = entry;
  }
  doc["cache"] = cache;
  return doc.dump(1) + "\n";
}

}  // namespace tuna::store
