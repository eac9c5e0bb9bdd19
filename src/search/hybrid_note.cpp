#include "search/hybrid_note.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace tuna::search {
namespace {

// A parameter with more values than this is described by its untried count only: listing them
// would cost tokens without pointing anywhere in particular.
constexpr std::size_t kMaxListedValues = 16;

std::string config_text(const Space& space, const Config& config) {
  auto d = space.diff(config, space.default_config());
  if (d.empty()) return "the default config";
  std::string out;
  for (const auto& [name, value] : d)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", name, value.to_string());
  return out;
}

const Result* fastest(const std::vector<Result>& results) {
  const Result* best = nullptr;
  for (const Result& r : results)
    if (r.ok() && std::isfinite(r.median_ms) && (!best || r.median_ms < best->median_ms)) best = &r;
  return best;
}

std::string turn_summary(const Space& space, const std::vector<Result>& turn, double best_before_ms,
                         const std::string& model_free_name) {
  std::size_t failed = 0;
  for (const Result& r : turn) failed += r.ok() ? 0 : 1;
  std::string out = fmt::format(
      "Since your last round, a model-free search ({}, a model trained on every measurement so "
      "far, yours included) measured {} configs ({} failed).",
      model_free_name, turn.size(), failed);
  const Result* best = fastest(turn);
  if (!best) return out + "\n";
  out += fmt::format(" Its best: {:.4g} ms with {}", best->median_ms,
                     config_text(space, best->config));
  if (!std::isfinite(best_before_ms))
    out += ".";
  else if (best->median_ms < best_before_ms)
    out += fmt::format(
        ", a new best ({:.1f}% faster than the previous best {:.4g} ms): look at what "
        "it changed.",
        100 * (1 - best->median_ms / best_before_ms), best_before_ms);
  else
    out += fmt::format(", {:.1f}% slower than the best so far.",
                       100 * (best->median_ms / best_before_ms - 1));
  return out + "\n";
}

std::string untried_values(const Space& space, const std::vector<Result>& all) {
  std::string out;
  for (std::size_t p = 0; p < space.params().size(); ++p) {
    const Parameter& param = space.params()[p];
    std::set<std::string> used;
    for (const Result& r : all) used.insert(r.config[p].to_string());
    std::vector<std::string> missing;
    for (const Value& v : param.values)
      if (!used.contains(v.to_string())) missing.push_back(v.to_string());
    if (missing.empty()) continue;
    if (param.values.size() > kMaxListedValues)
      out += fmt::format("- {}: {} of its {} values untried\n", param.name, missing.size(),
                         param.values.size());
    else
      out += fmt::format("- {}: {}\n", param.name, fmt::join(missing, ", "));
  }
  if (out.empty()) return "Every value of every parameter appears in some measured config.\n";
  return "Parameter values no measured config uses yet (untested regions; some may be invalid "
         "with other values):\n" +
         out;
}

}  // namespace

std::string hybrid_note(const Space& space, const std::vector<Result>& all,
                        const std::vector<Result>& turn, double best_before_ms,
                        const std::string& model_free_name) {
  return "## Between your rounds\n" + turn_summary(space, turn, best_before_ms, model_free_name) +
         untried_values(space, all);
}

}  // namespace tuna::search
