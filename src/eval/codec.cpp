#include "eval/codec.hpp"

#include "tuna/errors.hpp"

namespace tuna::codec {

using nlohmann::json;

json to_json(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int: return v.as_int();
    case ValueKind::Float: return v.as_double();
    case ValueKind::Bool: return v.truthy();
    case ValueKind::String: return v.as_string();
  }
  TUNA_ASSERT(false, "unknown value kind");
}

Value value_from_json(const json& j) {
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_number_integer()) return Value(j.get<std::int64_t>());
  if (j.is_number()) return Value(j.get<double>());
  if (j.is_string()) return Value(j.get<std::string>());
  throw InternalError("value_from_json: not a scalar: " + j.dump());
}

json to_json(const Env& env) {
  json j = json::object();
  for (const auto& [name, value] : env.values()) j[name] = to_json(value);
  return j;
}

Env env_from_json(const json& j) {
  Env env;
  for (const auto& [name, value] : j.items()) env.set(name, value_from_json(value));
  return env;
}

json to_json(const DeviceInfo& d) {
  return {{"backend", d.backend}, {"name", d.name}, {"id", d.id}, {"facts", to_json(d.facts)}};
}

DeviceInfo device_from_json(const json& j) {
  DeviceInfo d;
  d.backend = j.at("backend").get<std::string>();
  d.name = j.at("name").get<std::string>();
  d.id = j.at("id").get<std::string>();
  d.facts = env_from_json(j.at("facts"));
  return d;
}

json to_json(const TimingOptions& t) {
  return {{"warmup", t.warmup},
          {"min_repetitions", t.min_repetitions},
          {"max_repetitions", t.max_repetitions},
          {"budget_ms", t.budget_ms},
          {"flush_cache", t.flush_cache}};
}

TimingOptions timing_from_json(const json& j) {
  TimingOptions t;
  t.warmup = j.at("warmup").get<int>();
  t.min_repetitions = j.at("min_repetitions").get<int>();
  t.max_repetitions = j.at("max_repetitions").get<int>();
  t.budget_ms = j.at("budget_ms").get<double>();
  t.flush_cache = j.at("flush_cache").get<bool>();
  return t;
}

json to_json(const Artifact& a) {
  return {{"path", a.path.string()}, {"symbol", a.symbol}, {"hash", a.hash},
          {"resources", a.resources}};
}

Artifact artifact_from_json(const json& j) {
  Artifact a;
  a.path = j.at("path").get<std::string>();
  a.symbol = j.at("symbol").get<std::string>();
  a.hash = j.at("hash").get<std::string>();
  a.resources = j.at("resources").get<std::map<std::string, double>>();
  return a;
}

json to_json(const CompileOutcome& c) {
  return {{"ok", c.ok},           {"artifact", to_json(c.artifact)},
          {"cached", c.cached},   {"compile_ms", c.compile_ms},
          {"error_class", c.error_class}, {"message", c.message},
          {"log", c.log}};
}

CompileOutcome compile_outcome_from_json(const json& j) {
  CompileOutcome c;
  c.ok = j.at("ok").get<bool>();
  c.artifact = artifact_from_json(j.at("artifact"));
  c.cached = j.at("cached").get<bool>();
  c.compile_ms = j.at("compile_ms").get<double>();
  c.error_class = j.at("error_class").get<std::string>();
  c.message = j.at("message").get<std::string>();
  c.log = j.at("log").get<std::string>();
  return c;
}

json to_json(const RunOutcome& r) {
  return {{"ok", r.ok},
          {"times_ms", r.times_ms},
          {"resources", r.resources},
          {"error_class", r.error_class},
          {"message", r.message}};
}

RunOutcome run_outcome_from_json(const json& j) {
  RunOutcome r;
  r.ok = j.at("ok").get<bool>();
  r.times_ms = j.at("times_ms").get<std::vector<double>>();
  r.resources = j.at("resources").get<std::map<std::string, double>>();
  r.error_class = j.at("error_class").get<std::string>();
  r.message = j.at("message").get<std::string>();
  return r;
}

}  // namespace tuna::codec
