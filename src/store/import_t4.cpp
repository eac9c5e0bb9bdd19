// T4 results files (the common output format of the auto-tuning community's benchmark hub): one
// record per configuration, with its invalidity class and its times by phase.
#include <fmt/format.h>

#include "store/import_json.hpp"
#include "store/import_recording.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

using json = nlohmann::ordered_json;

Status status_of_invalidity(const std::string& word, const std::string& where) {
  if (word == "correct") return Status::Ok;
  if (word == "compile") return Status::CompileError;
  if (word == "runtime") return Status::RuntimeError;
  if (word == "correctness") return Status::WrongResult;
  if (word == "constraints") return Status::Invalid;
  if (word == "timeout") return Status::Timeout;
  throw UserError(
      fmt::format("{}: unknown invalidity \"{}\" (expected correct, compile, runtime, "
                  "correctness, constraints or timeout)",
                  where, word));
}

// T4 stores the objective among the measurements; Kernel Tuner's failure words may stand in
// for the value.
double recorded_time(const json& result) {
  auto m = result.find("measurements");
  if (m == result.end() || !m->is_array()) return 0;
  for (const auto& item : *m)
    if (item.value("name", "") == "time" && item.contains("value") && item["value"].is_number())
      return item["value"].get<double>();
  return 0;
}

}  // namespace

Recording read_t4_results(const std::filesystem::path& file, const json& doc) {
  Recording rec;
  rec.format = "t4";
  rec.file = file;
  const json& results = doc.at("results");
  if (auto meta = doc.find("metadata"); meta != doc.end() && meta->is_object()) {
    std::string unit = meta->value("timeunit", "milliseconds");
    // The benchmark hub spells it "miliseconds"; accept both spellings and "ms".
    if (unit.rfind("mil", 0) != 0 && unit != "ms")
      throw UserError(
          fmt::format("{}: metadata.timeunit \"{}\" is not milliseconds; tuna reads "
                      "T4 times in milliseconds only",
                      file.string(), unit));
  }
  for (std::size_t r = 0; r < results.size(); ++r) {
    const json& result = results[r];
    const std::string where = fmt::format("{}: results[{}]", file.string(), r);
    const json& configuration = result.at("configuration");
    if (!configuration.is_object())
      throw UserError(where + ": \"configuration\" must be an object of name: value");
    if (rec.param_names.empty()) {
      for (const auto& [name, _] : configuration.items()) rec.param_names.push_back(name);
      rec.param_values.resize(rec.param_names.size());
    }
    RecordedEntry e;
    for (std::size_t i = 0; i < rec.param_names.size(); ++i) {
      auto it = configuration.find(rec.param_names[i]);
      if (it == configuration.end())
        throw UserError(fmt::format("{}: no value for parameter '{}'", where, rec.param_names[i]));
      e.values.push_back(value_from_json(*it, where + "." + rec.param_names[i]));
      add_distinct(rec.param_values[i], e.values.back());
    }
    e.error_class = result.value("invalidity", "correct");
    e.status = status_of_invalidity(e.error_class, where);
    if (e.status == Status::Ok) e.error_class.clear();
    const json times = result.value("times", json::object());
    e.times_ms = numbers_in(times, "runtimes");
    e.compile_ms = number_or(times, "compilation");
    e.benchmark_ms = number_or(times, "benchmark");
    e.verification_ms = number_or(times, "validation");
    e.framework_ms = number_or(times, "framework");
    e.time_ms = recorded_time(result);
    e.timestamp = result.value("timestamp", "");
    rec.entries.push_back(std::move(e));
  }
  return rec;
}

}  // namespace tuna::store
