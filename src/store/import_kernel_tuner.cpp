// Kernel Tuner cache files (the `cache` of a tuning run, as Kernel Tuner writes it and reads it
// back in simulation mode).
#include <fmt/format.h>

#include "store/import_json.hpp"
#include "store/import_recording.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

using json = nlohmann::ordered_json;

// Kernel Tuner writes a failure in place of the time, as a string naming its class.
Status status_of_failure(const std::string& word) {
  if (word == "CompilationFailedConfig") return Status::CompileError;
  if (word == "RuntimeFailedConfig") return Status::RuntimeError;
  if (word == "InvalidConfig") return Status::Invalid;
  return Status::RuntimeError;  // an unknown class still failed
}

std::string problem_text(const json& doc) {
  auto it = doc.find("problem_size");
  if (it == doc.end()) return {};
  if (it->is_array()) {
    std::string out;
    for (const auto& v : *it) {
      if (!out.empty()) out += ',';
      out += v.is_string() ? v.get<std::string>() : v.dump();
    }
    return out;
  }
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The values of one cache entry, from its own fields (the key's text is Python's str() of each
// value, which is less precise about kinds).
std::vector<Value> entry_values(const Recording& rec, const std::string& key, const json& entry) {
  std::vector<Value> values;
  values.reserve(rec.param_names.size());
  for (const auto& name : rec.param_names) {
    auto it = entry.find(name);
    if (it == entry.end())
      throw UserError(fmt::format("{}: cache entry \"{}\" has no value for parameter '{}'",
                                  rec.file.string(), key, name));
    values.push_back(value_from_json(
        *it, fmt::format("{}: cache entry \"{}\", parameter '{}'", rec.file.string(), key, name)));
  }
  return values;
}

RecordedEntry read_entry(const Recording& rec, const std::string& key, const json& entry) {
  if (!entry.is_object())
    throw UserError(fmt::format("{}: cache entry \"{}\" is not an object", rec.file.string(), key));
  RecordedEntry e;
  e.values = entry_values(rec, key, entry);
  auto time = entry.find("time");
  if (time == entry.end())
    throw UserError(fmt::format("{}: cache entry \"{}\" has no \"time\"", rec.file.string(), key));
  if (time->is_string()) {
    e.error_class = time->get<std::string>();
    e.status = status_of_failure(e.error_class);
  } else if (time->is_number()) {
    e.time_ms = time->get<double>();
  } else {
    throw UserError(
        fmt::format("{}: cache entry \"{}\": \"time\" is neither a number nor a "
                    "failure class",
                    rec.file.string(), key));
  }
  e.times_ms = numbers_in(entry, "times");
  e.compile_ms = number_or(entry, "compile_time");
  e.benchmark_ms = number_or(entry, "benchmark_time");
  e.verification_ms = number_or(entry, "verification_time");
  e.framework_ms = number_or(entry, "framework_time");
  if (auto ts = entry.find("timestamp"); ts != entry.end() && ts->is_string())
    e.timestamp = ts->get<std::string>();
  return e;
}

}  // namespace

Recording read_kernel_tuner_cache(const std::filesystem::path& file, const json& doc) {
  Recording rec;
  rec.format = "kernel_tuner";
  rec.file = file;
  if (auto it = doc.find("kernel_name"); it != doc.end() && it->is_string())
    rec.kernel_name = it->get<std::string>();
  if (auto it = doc.find("device_name"); it != doc.end() && it->is_string())
    rec.device_name = it->get<std::string>();
  rec.problem = problem_text(doc);
  const json& keys = doc.at("tune_params_keys");
  if (!keys.is_array() || keys.empty())
    throw UserError(
        fmt::format("{}: \"tune_params_keys\" must be a non-empty list of names", file.string()));
  for (const auto& k : keys) rec.param_names.push_back(k.get<std::string>());
  rec.param_values.resize(rec.param_names.size());
  auto declared = doc.find("tune_params");
  for (std::size_t i = 0; i < rec.param_names.size(); ++i) {
    if (declared == doc.end() || !declared->contains(rec.param_names[i])) continue;
    for (const auto& v : (*declared)[rec.param_names[i]])
      add_distinct(
          rec.param_values[i],
          value_from_json(v, fmt::format("{}: tune_params.{}", file.string(), rec.param_names[i])));
  }
  const json& cache = doc.at("cache");
  if (!cache.is_object())
    throw UserError(fmt::format("{}: \"cache\" must be an object of entries", file.string()));
  rec.entries.reserve(cache.size());
  for (const auto& [key, entry] : cache.items()) {
    rec.entries.push_back(read_entry(rec, key, entry));
    // Values seen but not declared (or no declaration at all) join the parameter's list.
    for (std::size_t i = 0; i < rec.param_names.size(); ++i)
      add_distinct(rec.param_values[i], rec.entries.back().values[i]);
  }
  return rec;
}

}  // namespace tuna::store
