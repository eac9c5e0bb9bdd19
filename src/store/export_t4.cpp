// T4 results files, written from a recording.
#include <nlohmann/json.hpp>
#include <utility>

#include "store/export_recording.hpp"
#include "store/import_json.hpp"

namespace tuna::store {

namespace {

using nlohmann::ordered_json;

// T4's "invalidity" word for each status.
constexpr std::pair<Status, const char*> kInvalidity[] = {
    {Status::Ok, "correct"},           {Status::Invalid, "constraints"},
    {Status::CompileError, "compile"}, {Status::RuntimeError, "runtime"},
    {Status::Timeout, "timeout"},      {Status::WrongResult, "correctness"},
};

const char* invalidity(Status s) {
  for (const auto& [status, word] : kInvalidity)
    if (status == s) return word;
  return "runtime";
}

}  // namespace

std::string export_t4(const Recording& rec) {
  ordered_json results = ordered_json::array();
  for (const auto& e : rec.entries) {
    ordered_json r;
    r["timestamp"] = e.timestamp;
    ordered_json configuration = ordered_json::object();
    for (std::size_t i = 0; i < e.values.size(); ++i)
      configuration[rec.param_names[i]] = ordered_json(value_to_json(e.values[i]));
    r["configuration"] = configuration;
    ordered_json times = {{"compilation", e.compile_ms},
                          {"framework", e.framework_ms},
                          {"search_algorithm", 0},
                          {"validation", e.verification_ms},
                          {"benchmark", e.benchmark_ms}};
    if (!e.times_ms.empty()) times["runtimes"] = e.times_ms;
    r["times"] = times;
    r["invalidity"] = invalidity(e.status);
    r["correctness"] = e.status == Status::Ok ? 1 : 0;
    ordered_json value = e.status == Status::Ok ? ordered_json(e.time_ms)
                                                : ordered_json(kernel_tuner_failure_word(e));
    r["measurements"] = ordered_json::array({{{"name", "time"}, {"value", value}, {"unit", "ms"}}});
    r["objectives"] = ordered_json::array({"time"});
    results.push_back(r);
  }
  ordered_json doc;
  doc["schema_version"] = "1.0.0";
  doc["metadata"] = {{"timeunit", "milliseconds"}};
  doc["results"] = results;
  return doc.dump(1) + "\n";
}

}  // namespace tuna::store
