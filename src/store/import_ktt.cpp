// KTT output files (the Kernel Tuning Toolkit's JSON of tuning results). KTT reports times in
// microseconds; tuna works in milliseconds.
#include <fmt/format.h>

#include <algorithm>

#include "store/import_json.hpp"
#include "store/import_recording.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

using json = nlohmann::ordered_json;

Status status_of(const std::string& word) {
  if (word == "Ok") return Status::Ok;
  if (word == "CompilationFailed") return Status::CompileError;
  if (word == "ValidationFailed") return Status::WrongResult;
  return Status::RuntimeError;  // ComputationFailed, and any class KTT adds later
}

double unit_to_ms(const std::string& unit, const std::string& where) {
  if (unit == "Microseconds") return 1e-3;
  if (unit == "Milliseconds") return 1.0;
  if (unit == "Nanoseconds") return 1e-6;
  if (unit == "Seconds") return 1e3;
  throw UserError(
      fmt::format("{}: Metadata.TimeUnit \"{}\" is not one tuna knows "
                  "(Nanoseconds, Microseconds, Milliseconds, Seconds)",
                  where, unit));
}

}  // namespace

Recording read_ktt_output(const std::filesystem::path& file, const json& doc) {
  Recording rec;
  rec.format = "ktt";
  rec.file = file;
  const json& meta = doc.at("Metadata");
  rec.device_name = meta.value("Device", "");
  const double to_ms = unit_to_ms(meta.value("TimeUnit", "Microseconds"), file.string());
  const json& results = doc.at("Results");
  for (std::size_t r = 0; r < results.size(); ++r) {
    const json& result = results[r];
    const std::string where = fmt::format("{}: Results[{}]", file.string(), r);
    if (rec.kernel_name.empty()) rec.kernel_name = result.value("KernelName", "");
    const json& configuration = result.at("Configuration");
    if (rec.param_names.empty()) {
      for (const auto& pair : configuration) rec.param_names.push_back(pair.at("Name"));
      rec.param_values.resize(rec.param_names.size());
    }
    RecordedEntry e;
    e.values.resize(rec.param_names.size());
    std::vector<bool> seen(rec.param_names.size(), false);
    for (const auto& pair : configuration) {
      const std::string name = pair.at("Name").get<std::string>();
      auto at = std::find(rec.param_names.begin(), rec.param_names.end(), name);
      if (at == rec.param_names.end())
        throw UserError(
            fmt::format("{}: parameter '{}' does not appear in the first result", where, name));
      auto i = static_cast<std::size_t>(at - rec.param_names.begin());
      e.values[i] = value_from_json(pair.at("Value"), where + "." + name);
      seen[i] = true;
      add_distinct(rec.param_values[i], e.values[i]);
    }
    if (std::find(seen.begin(), seen.end(), false) != seen.end())
      throw UserError(where + ": a parameter of the first result is missing");
    const std::string status = result.value("Status", "Ok");
    e.status = status_of(status);
    if (e.status != Status::Ok) e.error_class = status;
    // One computation per kernel launch of the configuration; together they are one run.
    double duration = 0, launch_overhead = 0;
    for (const auto& c : result.value("ComputationResults", json::array())) {
      duration += number_or(c, "Duration");
      launch_overhead += number_or(c, "Overhead");
    }
    e.time_ms = number_or(result, "TotalDuration", duration) * to_ms;
    if (e.status == Status::Ok) e.times_ms.push_back(e.time_ms);
    // TotalOverhead = the launches' overhead (compiling and setting up) + data movement +
    // validation + the searcher's own time; a failed result has no launches, so its compile
    // share is what the other three leave.
    const double data = number_or(result, "DataMovementOverhead");
    const double validation = number_or(result, "ValidationOverhead");
    const double searcher = number_or(result, "SearcherOverhead");
    double compile = launch_overhead;
    if (compile == 0)
      compile = std::max(0.0, number_or(result, "TotalOverhead") - data - validation - searcher);
    e.compile_ms = compile * to_ms;
    e.benchmark_ms = (e.status == Status::Ok ? e.time_ms : 0) + data * to_ms;
    e.verification_ms = validation * to_ms;
    e.framework_ms = searcher * to_ms;
    rec.entries.push_back(std::move(e));
  }
  return rec;
}

}  // namespace tuna::store
