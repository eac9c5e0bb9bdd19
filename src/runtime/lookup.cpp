// Matching a request (kernel, problem, device) against the tuned entries, and reading the JSON
// that `tuna export --format json` writes (docs/json.md, "export").
#include "tuna/lookup.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "core/codec.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

using nlohmann::json;

// DeviceInfo::id is "<name> | <versions...>": the name part identifies the model of the device.
std::string name_part(const std::string& device) {
  std::size_t bar = device.find(" | ");
  return bar == std::string::npos ? device : device.substr(0, bar);
}

const json& field(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end())
    throw UserError(fmt::format("{}: missing field \"{}\"; write the file again with `tuna "
                                "export --format json`",
                                where, name));
  return *it;
}

std::string text_field(const json& j, const char* name, const std::string& where) {
  const json& v = field(j, name, where);
  if (!v.is_string()) throw UserError(fmt::format("{}: \"{}\" must be a string", where, name));
  return v.get<std::string>();
}

TunedValues values_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(where + ": a config must be an object of name: value");
  TunedValues values;
  for (const auto& [name, value] : j.items()) {
    if (!value.is_primitive() || value.is_null())
      throw UserError(fmt::format("{}: value of {} must be a number, boolean or string", where,
                                  name));
    values[name] = codec::value_from_json(value);
  }
  return values;
}

TunedEntry entry_from_json(const json& j, const std::string& kernel, const std::string& where) {
  TunedEntry e;
  e.kernel = kernel;
  e.device_name = text_field(j, "device", where);
  e.device_id = text_field(j, "device_id", where);
  e.backend = j.value("backend", std::string());
  e.problem = text_field(j, "problem", where);
  e.values = values_from_json(field(j, "config", where), where + ".config");
  e.key = j.value("key", std::string());
  e.median_ms = j.value("median_ms", 0.0);
  e.measured_at = j.value("measured_at", 0.0);
  return e;
}

bool more_recent(const TunedEntry* a, const TunedEntry* b) {
  return b == nullptr || a->measured_at > b->measured_at;
}

}  // namespace

const char* lookup_match_name(LookupMatch m) {
  switch (m) {
    case LookupMatch::Exact: return "exact";
    case LookupMatch::DeviceName: return "device_name";
    case LookupMatch::Default: return "default";
  }
  return "default";
}

Lookup Lookup::from_json_text(const std::string& text, const std::string& origin) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    throw UserError(origin + ": not a JSON object; expected the output of `tuna export --format "
                             "json`");
  Lookup out;
  std::string kernel = text_field(j, "kernel", origin);
  const json& entries = field(j, "entries", origin);
  if (!entries.is_array()) throw UserError(origin + ": \"entries\" must be an array");
  for (std::size_t i = 0; i < entries.size(); ++i)
    out.entries_.push_back(
        entry_from_json(entries[i], kernel, fmt::format("{}: entries[{}]", origin, i)));
  if (auto it = j.find("defaults"); it != j.end())
    out.defaults_[kernel] = values_from_json(*it, origin + ": defaults");
  return out;
}

Lookup Lookup::from_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw UserError(fmt::format("cannot read {}; write it with `tuna export SPEC --format json "
                                "-o {}`",
                                path.string(), path.filename().string()));
  std::stringstream text;
  text << in.rdbuf();
  return from_json_text(text.str(), path.string());
}

void Lookup::merge(const Lookup& other) {
  entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
  for (const auto& [kernel, values] : other.defaults_) defaults_[kernel] = values;
}

TunedValues Lookup::defaults_of(const std::string& kernel) const {
  auto it = defaults_.find(kernel);
  return it == defaults_.end() ? TunedValues{} : it->second;
}

LookupResult Lookup::find(const std::string& kernel, const std::string& problem,
                          const std::string& device, const TunedValues& defaults) const {
  const TunedEntry* exact = nullptr;
  const TunedEntry* by_name = nullptr;
  const std::string wanted_name = name_part(device);
  for (const TunedEntry& e : entries_) {
    if (e.kernel != kernel || e.problem != problem) continue;
    if (e.device_id == device) {
      if (more_recent(&e, exact)) exact = &e;
    } else if (e.device_name == wanted_name || e.device_name == device) {
      if (more_recent(&e, by_name)) by_name = &e;
    }
  }
  TunedValues base = defaults.empty() ? defaults_of(kernel) : defaults;
  LookupResult result;
  result.entry = exact ? exact : by_name;
  if (!result.entry) {
    result.values = std::move(base);
    return result;
  }
  result.match = exact ? LookupMatch::Exact : LookupMatch::DeviceName;
  result.values = std::move(base);
  for (const auto& [name, value] : result.entry->values) result.values[name] = value;
  return result;
}

TunedValues lookup(const std::filesystem::path& source, const std::string& kernel,
                   const std::string& problem, const std::string& device,
                   const TunedValues& defaults) {
  std::ifstream in(source, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read {}: no such file", source.string()));
  char head[16] = {};
  in.read(head, sizeof head);
  bool is_sqlite = std::string(head, static_cast<std::size_t>(in.gcount()))
                       .starts_with("SQLite format 3");
  Lookup table = is_sqlite ? Lookup::from_store(source) : Lookup::from_json_file(source);
  return table.find(kernel, problem, device, defaults).values;
}

std::string problem_key(const std::map<std::string, Value>& constants) {
  std::string out;
  for (const auto& [name, value] : constants) {
    if (!out.empty()) out += ',';
    out += name + "=" + value.to_string();
  }
  return out;
}

}  // namespace tuna
