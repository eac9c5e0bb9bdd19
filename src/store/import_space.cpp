// From a recording to tuna's terms: the Space it spans and the Result of each entry.
#include <fmt/format.h>

#include <algorithm>

#include "store/import_recording.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

// The first config, in file order, that the recording does not mark invalid.
std::optional<Config> first_valid_entry(const Recording& rec) {
  for (const auto& e : rec.entries)
    if (e.status != Status::Invalid) return Config(e.values);
  return std::nullopt;
}

// T1 conditions, with T1 parameters that the recording lacks folded in as constants when they
// have a single value (T1 files list fixed values such as PRECISION=32 as parameters).
void add_t1_restrictions(const Recording& rec, const T1Space& t1,
                         std::vector<Constraint>& constraints, Env& constants) {
  for (std::size_t i = 0; i < t1.param_names.size(); ++i) {
    const std::string& name = t1.param_names[i];
    if (std::find(rec.param_names.begin(), rec.param_names.end(), name) != rec.param_names.end())
      continue;
    if (t1.param_values[i].size() == 1) {
      constants.set(name, t1.param_values[i].front());
      continue;
    }
    throw UserError(
        fmt::format("{}: parameter '{}' has {} values in the T1 file but does not "
                    "appear in the recording {}; pass the T1 file that belongs to "
                    "this recording",
                    t1.file.string(), name, t1.param_values[i].size(), rec.file.string()));
  }
  for (std::size_t c = 0; c < t1.restrictions.size(); ++c) {
    try {
      constraints.push_back(
          Constraint{Expr::parse(t1.restrictions[c]),
                     fmt::format("{}: restriction_{}", t1.file.filename().string(), c + 1)});
    } catch (const ExprError& e) {
      throw UserError(fmt::format("{}: restriction {} '{}': {}", t1.file.string(), c + 1,
                                  t1.restrictions[c], e.what()));
    }
  }
}

}  // namespace

Space recording_space(const Recording& rec, const T1Space* t1) {
  std::optional<Config> first = first_valid_entry(rec);
  if (!first)
    throw UserError(
        fmt::format("{}: the recording holds no configuration that is not invalid; "
                    "there is nothing to search",
                    rec.file.string()));
  std::vector<Constraint> constraints;
  Env constants;
  if (t1) add_t1_restrictions(rec, *t1, constraints, constants);
  std::vector<Parameter> params;
  for (std::size_t i = 0; i < rec.param_names.size(); ++i)
    params.push_back(Parameter::list(rec.param_names[i], rec.param_values[i], (*first)[i]));
  std::vector<Config> allowed;
  allowed.reserve(rec.entries.size());
  for (const auto& e : rec.entries)
    if (e.status != Status::Invalid) allowed.emplace_back(e.values);
  auto make = [&] {
    Space s(params, constraints, constants);
    s.restrict_to(allowed);
    return s;
  };
  Space space = make();

  // The T1 default, when it names a valid config, is the natural starting point.
  if (t1) {
    Config def = space.default_config();
    for (std::size_t i = 0; i < t1->param_names.size(); ++i) {
      std::ptrdiff_t p = space.index_of(t1->param_names[i]);
      if (p >= 0 && t1->defaults[i]) def[static_cast<std::size_t>(p)] = *t1->defaults[i];
    }
    if (!(def == space.default_config()) && space.is_valid(def)) {
      for (std::size_t i = 0; i < params.size(); ++i) params[i].default_value = def[i];
      space = make();
    }
  }
  if (space.size().count == 0)
    throw UserError(fmt::format("{}: no recorded configuration satisfies the restrictions{}",
                                rec.file.string(),
                                t1 ? " of " + t1->file.string() : std::string()));
  return space;
}

Result recorded_result(const Space& space, const RecordedEntry& e) {
  Result r;
  r.config = Config(e.values);
  r.key = space.key(r.config);
  r.status = e.status;
  r.error_class = e.error_class;
  if (e.status != Status::Ok)
    r.message = fmt::format("recorded as {}",
                            e.error_class.empty() ? status_name(e.status) : e.error_class);
  r.compile_ms = e.compile_ms;
  r.times_ms = e.times_ms;
  if (e.status == Status::Ok) r.median_ms = e.objective_ms();
  r.resources["benchmark_ms"] = e.benchmark_ms;
  r.resources["verification_ms"] = e.verification_ms;
  r.resources["framework_ms"] = e.framework_ms;
  r.device = e.device;
  return r;
}

}  // namespace tuna::store
