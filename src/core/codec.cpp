#include "core/codec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <string_view>

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

namespace tuna::codec {
namespace {

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

[[noreturn]] void malformed(std::string_view what) {
  throw InternalError(fmt::format("malformed result JSON: {}", what));
}

const json& field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) malformed(fmt::format("field \"{}\" is missing", name));
  return *it;
}

[[noreturn]] void wrong_type(const char* name, const char* expected, const json& got) {
  malformed(fmt::format("field \"{}\" should be {}, not {} ({})", name, expected, got.type_name(),
                        got.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 80)));
}

std::string string_field(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string()) wrong_type(name, "a string", v);
  return v.get<std::string>();
}

bool bool_field(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_boolean()) wrong_type(name, "a boolean", v);
  return v.get<bool>();
}

// A number, or null for one JSON cannot hold, read back as `if_null`.
double number_from(const json& v, const char* name, double if_null) {
  if (v.is_number()) return v.get<double>();
  if (v.is_null()) return if_null;
  wrong_type(name, "a number or null", v);
}

double number_field(const json& j, const char* name, double if_null = NAN) {
  return number_from(field(j, name), name, if_null);
}

std::vector<double> times_field(const json& j) {
  const json& list = field(j, "times_ms");
  if (!list.is_array()) wrong_type("times_ms", "an array", list);
  std::vector<double> times;
  times.reserve(list.size());
  for (const json& t : list) times.push_back(number_from(t, "times_ms[]", NAN));
  return times;
}

std::map<std::string, double> resources_field(const json& j) {
  const json& object = field(j, "resources");
  if (!object.is_object()) wrong_type("resources", "an object", object);
  std::map<std::string, double> resources;
  for (const auto& [name, value] : object.items())
    resources[name] = number_from(value, "resources{}", NAN);
  return resources;
}

Status status_field(const json& j) {
  std::string name = string_field(j, "status");
  std::optional<Status> status = status_from_name(name);
  if (!status) malformed(fmt::format("unknown status \"{}\"", name));
  return *status;
}

}  // namespace

json to_json(const Result& r) {
  json times = json::array();
  for (double t : r.times_ms) times.push_back(number_or_null(t));
  json resources = json::object();
  for (const auto& [name, value] : r.resources) resources[name] = number_or_null(value);
  return {{"key", r.key},
          {"status", status_name(r.status)},
          {"error_class", r.error_class},
          {"message", r.message},
          {"compile_ms", number_or_null(r.compile_ms)},
          {"times_ms", std::move(times)},
          {"median_ms", number_or_null(r.median_ms)},
          {"max_abs_error", number_or_null(r.max_abs_error)},
          {"resources", std::move(resources)},
          {"device", r.device},
          {"started_at", number_or_null(r.started_at)},
          {"finished_at", number_or_null(r.finished_at)},
          {"reused", r.reused}};
}

Result result_from_json(const json& j, const Space& space) {
  if (!j.is_object()) malformed(fmt::format("expected an object, got {}", j.type_name()));
  Result r;
  r.key = string_field(j, "key");
  r.status = status_field(j);
  r.error_class = string_field(j, "error_class");
  r.message = string_field(j, "message");
  r.compile_ms = number_field(j, "compile_ms");
  r.times_ms = times_field(j);
  r.median_ms = number_field(j, "median_ms");
  r.max_abs_error = number_field(j, "max_abs_error", INFINITY);
  r.resources = resources_field(j);
  r.device = string_field(j, "device");
  r.started_at = number_field(j, "started_at");
  r.finished_at = number_field(j, "finished_at");
  r.reused = bool_field(j, "reused");
  try {
    r.config = space.parse_key(r.key);
  } catch (const UserError& e) {
    malformed(fmt::format("key \"{}\" does not fit the space: {}", r.key, e.what()));
  }
  // parse_key forgives (omitted names take their defaults, any order): a sender's key that is
  // not canonical means it runs another space, and results keyed apart would not match.
  if (std::string canonical = space.key(r.config); canonical != r.key)
    malformed(fmt::format("key \"{}\" is not the canonical key of its config, \"{}\"", r.key,
                          canonical));
  return r;
}

}  // namespace tuna::codec
