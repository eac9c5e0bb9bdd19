#include "llm/configs.hpp"

#include <fmt/format.h>

#include <exception>
#include <map>
#include <set>

#include "base/ascii_text.hpp"
#include "llm/configs_json.hpp"
#include "llm/configs_snap.hpp"

namespace tuna::llm {
namespace {

using nlohmann::json;

// Unknown parameter names are counted per reply; a reply inventing more than this many is
// summarised rather than listed.
constexpr std::size_t kMaxUnknownNames = 16;

// Parameter index for a name the model wrote: exact, else the one parameter that matches
// ignoring case. -1 when unknown or ambiguous.
std::ptrdiff_t resolve_name(const Space& space, std::string_view name) {
  if (std::ptrdiff_t i = space.index_of(name); i >= 0) return i;
  std::ptrdiff_t found = -1;
  const std::string wanted = ascii_lower(name);
  const auto& params = space.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (ascii_lower(params[i].name) != wanted) continue;
    if (found >= 0) return -1;
    found = static_cast<std::ptrdiff_t>(i);
  }
  return found;
}

bool names_a_parameter(const json& object, const Space& space) {
  for (const auto& [key, value] : object.items())
    if (resolve_name(space, key) >= 0) return true;
  return false;
}

const json* member_ignoring_case(const json& object, std::string_view name) {
  for (const auto& [key, value] : object.items())
    if (ascii_lower(key) == name) return &value;
  return nullptr;
}

// The config entries of a parsed reply, or nullopt when its shape is not one we read:
// {"configs": [...]}, a bare list, an object whose only member is a list of objects, or one
// config object on its own.
std::optional<std::vector<const json*>> config_entries(const json& root, const Space& space) {
  std::vector<const json*> entries;
  auto has_object = [](const json& list) {
    for (const auto& e : list)
      if (e.is_object()) return true;
    return false;
  };
  if (root.is_array()) {
    if (!root.empty() && !has_object(root)) return std::nullopt;
    for (const auto& e : root) entries.push_back(&e);
    return entries;
  }
  if (!root.is_object()) return std::nullopt;
  if (const json* list = member_ignoring_case(root, "configs")) {
    if (list->is_object()) return std::vector<const json*>{list};
    if (!list->is_array()) return std::nullopt;
    for (const auto& e : *list) entries.push_back(&e);
    return entries;
  }
  if (root.size() == 1 && root.begin()->is_array() && !root.begin()->empty() &&
      has_object(*root.begin())) {
    for (const auto& e : *root.begin()) entries.push_back(&e);
    return entries;
  }
  if (names_a_parameter(root, space)) return std::vector<const json*>{&root};
  return std::nullopt;
}

std::string short_key(const Space& space, const Config& config, const Config& base) {
  std::string out;
  for (const auto& [name, value] : space.diff(config, base)) {
    if (!out.empty()) out += ", ";
    out += name + "=" + value.to_string();
  }
  return out.empty() ? "the default" : out;
}

std::string describe_violations(const Space& space, const std::vector<std::size_t>& failed) {
  std::string out;
  for (std::size_t c : failed) {
    if (!out.empty()) out += "; ";
    out += space.constraints()[c].expr.text();
  }
  return out;
}

class NoteList {
 public:
  explicit NoteList(std::vector<std::string>& out) : out_(out) {}
  void add(std::string note) {
    if (out_.size() < kMaxNotes - 1) {
      out_.push_back(std::move(note));
    } else {
      ++left_out_;
    }
  }
  ~NoteList() {
    if (left_out_) out_.push_back(fmt::format("... and {} more notes", left_out_));
  }

 private:
  std::vector<std::string>& out_;
  std::size_t left_out_ = 0;
};

// A JSON scalar as a Value; nullopt (with a note) for null, objects and longer lists.
std::optional<Value> scalar_value(const json& v, const std::string& name, NoteList& notes,
                                  const std::string& where) {
  if (v.is_array() && v.size() == 1 && !v[0].is_structured()) {
    notes.add(fmt::format("{}: {} was given as a one-element list; read its element", where, name));
    return scalar_value(v[0], name, notes, where);
  }
  if (v.is_boolean()) return Value(v.get<bool>());
  if (v.is_number_integer() && !v.is_number_unsigned()) return Value(v.get<std::int64_t>());
  if (v.is_number()) return Value(v.get<double>());
  if (v.is_string()) return Value(v.get<std::string>());
  notes.add(fmt::format("{}: {} is {}; kept the default", where, name,
                        v.is_null() ? "null" : "not a single value"));
  return std::nullopt;
}

struct EntryResult {
  std::optional<Config> config;
  bool repaired = false;
};

// One sparse config laid over the default, its values snapped onto the space, then the whole
// config repaired when it breaks a constraint.
EntryResult read_entry(const json& entry, const Space& space, const Config& base,
                       const std::string& where, NoteList& notes,
                       std::map<std::string, int>& unknown) {
  EntryResult out;
  if (!entry.is_object()) {
    notes.add(fmt::format("{}: not a JSON object; skipped", where));
    return out;
  }
  Config config = base;
  std::size_t known = 0;
  for (const auto& [key, raw] : entry.items()) {
    std::ptrdiff_t index = resolve_name(space, key);
    if (index < 0) {
      if (unknown.size() < kMaxUnknownNames || unknown.count(key)) ++unknown[key];
      continue;
    }
    ++known;
    const Parameter& p = space.params()[static_cast<std::size_t>(index)];
    std::optional<Value> value = scalar_value(raw, p.name, notes, where);
    if (!value) continue;
    std::string note;
    std::optional<Value> snapped = snap_to_parameter(p, *value, note);
    if (!note.empty()) {
      notes.add(fmt::format("{}: {}", where, note));
      out.repaired = true;
    }
    if (snapped) config[static_cast<std::size_t>(index)] = *snapped;
  }
  // `{}` asks for the default config; an entry of unknown names only asks for nothing of this
  // space (a reply meant for another kernel), and is not read as the default.
  if (known == 0 && !entry.empty()) {
    notes.add(fmt::format("{}: names no parameter of this space; dropped", where));
    return out;
  }
  if (space.is_valid(config)) {
    out.config = std::move(config);
    return out;
  }
  const std::vector<std::size_t> failed = space.violations(config);
  std::optional<Config> fixed = space.repair(config);
  if (fixed && space.is_valid(*fixed)) {
    notes.add(fmt::format("{}: {} breaks {}; repaired to {}", where, short_key(space, config, base),
                          describe_violations(space, failed), short_key(space, *fixed, base)));
    out.config = std::move(fixed);
    out.repaired = true;
    return out;
  }
  notes.add(fmt::format("{}: dropped: {} breaks {} and no valid config is near it", where,
                        short_key(space, config, base), describe_violations(space, failed)));
  return out;
}

void read_entries(const std::vector<const json*>& entries, const Space& space, const Config& base,
                  ParsedConfigs& out, NoteList& notes) {
  std::map<std::string, int> unknown;
  std::map<std::string, int> seen;  // key -> 1-based index of the first config with it
  const int total = static_cast<int>(entries.size());
  out.proposed = total;
  if (total > kMaxConfigsPerReply)
    notes.add(fmt::format("the reply has {} configs; only the first {} were read", total,
                          kMaxConfigsPerReply));
  for (int i = 0; i < total && i < kMaxConfigsPerReply; ++i) {
    const std::string where = fmt::format("config {}", i + 1);
    EntryResult r = read_entry(*entries[static_cast<std::size_t>(i)], space, base, where, notes,
                               unknown);
    if (!r.config) {
      ++out.dropped;
      continue;
    }
    std::string key = space.key(*r.config);
    if (auto it = seen.find(key); it != seen.end()) {
      notes.add(fmt::format("{}: same as config {}; skipped", where, it->second));
      ++out.duplicates;
      continue;
    }
    seen.emplace(std::move(key), i + 1);
    if (r.repaired) ++out.repaired;
    out.configs.push_back(std::move(*r.config));
  }
  for (const auto& [name, count] : unknown)
    notes.add(fmt::format("ignored unknown parameter {} (in {} config{})", quote_untrusted(name),
                          count, count == 1 ? "" : "s"));
}

}  // namespace

ParsedConfigs parse_response_configs(std::string_view reply, const Space& space,
                                     const Config& default_config) {
  ParsedConfigs out;
  try {
    NoteList notes(out.notes);
    if (space.params().empty()) {
      notes.add("the space has no parameters; nothing to read");
      return out;
    }
    const Config base =
        default_config.size() == space.params().size() ? default_config : space.default_config();
    if (reply.size() > kMaxReplyBytes)
      notes.add(fmt::format("the reply is {} bytes; only the first {} were read", reply.size(),
                            kMaxReplyBytes));
    auto accept = [&](const json& v) { return config_entries(v, space).has_value(); };
    std::optional<LenientJson> found = find_json(reply, accept, out.found_json);
    if (!found) {
      notes.add(out.found_json
                    ? "the reply's JSON is neither {\"configs\": [...]} nor a list of configs"
                    : fmt::format("no JSON object or list found in the reply ({} bytes)",
                                  reply.size()));
      return out;
    }
    out.found_configs = true;
    out.truncated = found->truncated;
    if (found->truncated) notes.add("the reply was cut off; read the configs that were complete");
    read_entries(*config_entries(found->value, space), space, base, out, notes);
  } catch (const std::exception& e) {
    // Nothing above should throw; a bug here must not end the search, so it becomes a note.
    out.notes.push_back(fmt::format("internal error while reading the reply: {}", e.what()));
  }
  return out;
}

}  // namespace tuna::llm
