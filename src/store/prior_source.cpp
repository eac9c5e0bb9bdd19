// Priors read from files and from the store: measurements made elsewhere, mapped onto this run's
// Space by parameter name (docs/priors.md, "Where priors come from").
#include "store/prior_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "store/import_recording.hpp"
#include "store/import_store.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

constexpr std::size_t kMaxStorePriors = 3;

// A recording's measurements in the Space, with what the mapping had to leave out or assume.
struct Mapped {
  std::vector<PriorEntry> entries;     // ok, finite, valid in the space
  std::vector<std::string> defaulted;  // space parameters the recording lacks
  std::vector<std::string> ignored;    // recording parameters the space lacks
  std::size_t ok = 0;                  // ok entries with a finite time, valid or not
  std::size_t distinct = 0;            // distinct keys among `entries`
};

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::vector<std::string> space_names(const Space& space) {
  std::vector<std::string> names;
  for (const Parameter& p : space.params()) names.push_back(p.name);
  return names;
}

// The Space's own value for a recorded one, so keys come out canonical. Numbers compare by value
// (4 == 4.0 == true); beyond that a recording may write "4" where the spec declares 4, or 4
// where the spec declares the string "4", so each is tried as the other.
std::optional<Value> space_value(const Parameter& p, const Value& v) {
  std::ptrdiff_t i = p.index_of(v);
  if (i < 0 && v.is_string()) i = p.index_of(parse_value_text(v.as_string()));
  if (i < 0 && !v.is_string()) i = p.index_of(Value(v.to_string()));
  if (i < 0) return std::nullopt;
  return p.values[static_cast<std::size_t>(i)];
}

// Per space parameter: the recording's column holding it, or none (taken as its default).
// Recordings repeat few distinct values, so each column remembers what it already mapped.
class ColumnMap {
 public:
  ColumnMap(const std::vector<std::string>& recorded_names, const Space& space) : space_(space) {
    for (const Parameter& p : space.params()) {
      auto it = std::find(recorded_names.begin(), recorded_names.end(), p.name);
      column_.push_back(it == recorded_names.end()
                            ? std::nullopt
                            : std::optional<std::size_t>(it - recorded_names.begin()));
      if (!column_.back()) defaulted_.push_back(p.name);
    }
    for (const std::string& n : recorded_names)
      if (space.index_of(n) < 0) ignored_.push_back(n);
    cache_.resize(column_.size());
  }

  bool any_shared() const { return defaulted_.size() < column_.size(); }
  const std::vector<std::string>& defaulted() const { return defaulted_; }
  const std::vector<std::string>& ignored() const { return ignored_; }

  // The recorded values as a config of the space, or nullopt when one is not a value there.
  std::optional<Config> config(const std::vector<Value>& recorded) {
    const std::vector<Parameter>& params = space_.params();
    std::vector<Value> values;
    values.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (!column_[i]) {
        values.push_back(params[i].default_value);
        continue;
      }
      if (*column_[i] >= recorded.size()) return std::nullopt;
      std::optional<Value> v = mapped(i, recorded[*column_[i]]);
      if (!v) return std::nullopt;
      values.push_back(std::move(*v));
    }
    return Config(std::move(values));
  }

 private:
  std::optional<Value> mapped(std::size_t param, const Value& v) {
    // The kind is part of the cache key: "4" (a string) and 4 may map differently.
    std::string key =
        std::string(1, static_cast<char>('0' + static_cast<int>(v.kind()))) + v.to_string();
    auto& cache = cache_[param];
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, space_value(space_.params()[param], v)).first;
    return it->second;
  }

  const Space& space_;
  std::vector<std::optional<std::size_t>> column_;
  std::vector<std::string> defaulted_, ignored_;
  std::vector<std::unordered_map<std::string, std::optional<Value>>> cache_;
};

Mapped map_recording(const Recording& rec, const Space& space) {
  ColumnMap columns(rec.param_names, space);
  Mapped m;
  m.defaulted = columns.defaulted();
  m.ignored = columns.ignored();
  if (!columns.any_shared()) return m;
  std::unordered_set<std::string> keys;
  for (const RecordedEntry& e : rec.entries) {
    const double t = e.objective_ms();
    if (e.status != Status::Ok || !std::isfinite(t)) continue;
    ++m.ok;
    std::optional<Config> config = columns.config(e.values);
    if (!config || !space.is_valid(*config)) continue;
    std::string key = space.key(*config);
    keys.insert(key);
    m.entries.push_back(PriorEntry{std::move(*config), std::move(key), t});
  }
  m.distinct = keys.size();
  return m;
}

// What the mapping assumed, for the label: "; BLOCK taken as its default; fastest over VEC".
std::string mapping_notes(const Mapped& m) {
  std::string out;
  for (const std::string& n : m.defaulted) out += fmt::format("; {} taken as its default", n);
  if (!m.ignored.empty()) out += fmt::format("; fastest over {}", join(m.ignored));
  return out;
}

// Why a recording gave no prior, in words that say what to check.
[[noreturn]] void throw_nothing_valid(const std::filesystem::path& file, const Recording& rec,
                                      const Mapped& m, const Space& space) {
  const std::string names = fmt::format("the file has parameters {}; this kernel has {}",
                                        join(rec.param_names), join(space_names(space)));
  if (m.defaulted.size() == space.params().size())
    throw UserError(
        fmt::format("{}: no parameter in common with this kernel ({}): is it a "
                    "recording of another kernel?",
                    file.string(), names));
  if (m.ok == 0)
    throw UserError(
        fmt::format("{}: none of its {} configurations ran correctly there, so it "
                    "says nothing about what is fast",
                    file.string(), rec.entries.size()));
  throw UserError(
      fmt::format("{}: none of its {} successful configurations is valid in this "
                  "kernel's space ({}): check that it records this kernel and that "
                  "its values are within the spec's",
                  file.string(), m.ok, names));
}

std::string context_words(const StoreContext& c) {
  std::string out = fmt::format("{} on {}", c.kernel_name, c.device_name);
  if (!c.problem.empty()) out += fmt::format(", problem {}", c.problem);
  return out;
}

// A tuna store as a prior file: its context with the most successful results valid in `space`.
Prior prior_from_store_file(const std::filesystem::path& file, const Space& space) {
  // A damaged or foreign file is refused there, in words.
  const std::vector<StoreContext> contexts = all_contexts(file);
  std::optional<Mapped> best;
  StoreContext best_ctx;
  std::size_t matching = 0;
  std::string held;
  for (const StoreContext& ctx : contexts) {
    Recording rec;
    try {
      rec = recording_from_store(file, ctx);
    } catch (const UserError& e) {
      held += fmt::format("\n  {} (unreadable: {})", context_words(ctx), e.what());
      continue;
    }
    held += fmt::format("\n  {} (parameters {})", context_words(ctx), join(rec.param_names));
    Mapped m = map_recording(rec, space);
    if (m.entries.empty()) continue;
    ++matching;
    if (!best || m.distinct > best->distinct) {
      best = std::move(m);
      best_ctx = ctx;
    }
  }
  if (!best)
    throw UserError(
        fmt::format("{}: no kernel in this store has configurations valid in this "
                    "kernel's space (parameters {}); it holds:{}",
                    file.string(), join(space_names(space)), held.empty() ? " no results" : held));
  const std::string chosen =
      matching > 1 ? fmt::format("; the largest of {} matching contexts", matching) : "";
  std::string label =
      fmt::format("{}: {} ({} configs{}{})", file.filename().string(), context_words(best_ctx),
                  best->distinct, mapping_notes(*best), chosen);
  return Prior(std::move(label), std::move(best->entries));
}

bool same_context(const StoreContext& a, const StoreContext& b) {
  return a.kernel_name == b.kernel_name && a.spec_hash == b.spec_hash && a.problem == b.problem &&
         a.device_id == b.device_id;
}

// A replay on the sim backend runs as device "sim:<name>"; `tuna import` stored the same
// recording as device "recorded:<name>". That context is the replayed data itself.
bool replays_current(const StoreContext& ctx, const StoreContext& current) {
  return current.backend == "sim" && ctx.backend == "sim" && ctx.device_name == current.device_name;
}

std::string store_label(const StoreContext& ctx, const StoreContext& current, const Mapped& m) {
  std::string out = fmt::format("store: {} ({})", ctx.device_name, ctx.backend);
  if (!ctx.problem.empty()) out += fmt::format(", problem {}", ctx.problem);
  // Only then is the spec what sets it apart (a context imported from a recording always has a
  // spec hash of its own).
  if (ctx.spec_hash != current.spec_hash && ctx.device_id == current.device_id &&
      ctx.problem == current.problem)
    out += ", earlier spec version";
  return out + fmt::format(" ({} configs{})", m.distinct, mapping_notes(m));
}

}  // namespace

Prior prior_from_file(const std::filesystem::path& file, const Space& space) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw UserError(
        fmt::format("{}: no such file; a prior is a recording of the same kernel "
                    "(Kernel Tuner cache, T4 results, KTT output; .gz or not) or a "
                    "tuna store",
                    file.string()));
  if (is_sqlite_file(file)) return prior_from_store_file(file, space);
  Recording rec = read_recording(file);
  Mapped m = map_recording(rec, space);
  if (m.entries.empty()) throw_nothing_valid(file, rec, m, space);
  std::string where = rec.device_name.empty() ? "unnamed device" : rec.device_name;
  if (!rec.problem.empty()) where += fmt::format(", problem {}", rec.problem);
  std::string label = fmt::format("{} ({}, {} configs{})", file.filename().string(), where,
                                  m.distinct, mapping_notes(m));
  return Prior(std::move(label), std::move(m.entries));
}

std::vector<Prior> priors_from_store(const Store& store, const StoreContext& current,
                                     const Space& space, std::size_t min_results) {
  std::vector<Prior> found;
  for (const StoreContext& ctx : store.contexts(current.kernel_name)) {
    if (same_context(ctx, current) || replays_current(ctx, current)) continue;
    Mapped m;
    try {
      m = map_recording(recording_from_store(store.path(), ctx), space);
    } catch (const UserError&) {
      continue;  // one unreadable context should not cost the others
    }
    if (m.distinct == 0 || m.distinct < min_results) continue;
    std::string label = store_label(ctx, current, m);
    found.emplace_back(std::move(label), std::move(m.entries));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Prior& a, const Prior& b) { return a.size() > b.size(); });
  if (found.size() > kMaxStorePriors) found.erase(found.begin() + kMaxStorePriors, found.end());
  return found;
}

Prior restrict_prior(const Prior& prior, const Space& space) {
  std::vector<PriorEntry> kept;
  for (const PriorEntry& e : prior.ranked()) {
    if (e.config.size() != space.params().size() || !space.is_valid(e.config)) continue;
    kept.push_back(PriorEntry{e.config, space.key(e.config), e.time_ms});
  }
  return Prior(prior.label(), std::move(kept));
}

}  // namespace tuna::store
