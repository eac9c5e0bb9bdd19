#include "llm/feedback.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "llm/feedback_internal.hpp"
#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace detail {

std::string key_of(const Space& space, const Result& r) {
  if (r.config.size() == space.params().size()) return space.key(r.config);
  return r.key;
}

std::string diff_of(const FeedbackInputs& in, const Result& r) {
  if (r.config.size() != in.space.params().size()) return "{}";
  return diff_json(in.space, r.config, in.default_config);
}

std::string compact_diff_of(const FeedbackInputs& in, const Result& r) {
  if (r.config.size() != in.space.params().size()) return r.key.empty() ? "(unknown)" : r.key;
  return diff_compact(in.space, r.config, in.default_config);
}

std::string one_line(std::string_view text) {
  constexpr std::size_t kMaxMessageChars = 160;
  std::string out;
  for (char c : text) {
    if (out.size() >= kMaxMessageChars) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string joined(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

bool spills(const Result& r) {
  for (const char* name : {"spill_stores_bytes", "spill_loads_bytes", "spill_bytes", "spills"}) {
    auto it = r.resources.find(name);
    if (it != r.resources.end() && it->second > 0) return true;
  }
  return false;
}

}  // namespace detail
namespace {

using detail::compact_diff_of;
using detail::diff_of;
using detail::joined;

// Anchor 2 is picked among this many configs after the best: far enough down to find a
// different family, near enough that it is still worth refining.
constexpr std::size_t kAnchorPool = 5;
// ... and no slower than this times the best (the rebenchmark threshold): a config far behind
// is a different family, but not one worth refining.
constexpr double kAnchorMaxSlowdown = 1.5;
// Patterns are read from the top quarter of the results, between these bounds.
constexpr std::size_t kMinPatternConfigs = 3;
constexpr std::size_t kMaxPatternConfigs = 10;
// Differences below this many times the typical spread are not called real; and never below
// this floor: the spread within one config's repetitions understates the drift between
// separate timings (clocks, temperature), which the re-timing rounds see.
constexpr double kNoiseMultiple = 2.0;
constexpr double kMinSignificant = 0.005;
// The tie check looks at this many configs after the best at most.
constexpr std::size_t kTieWindow = 5;
// Without repeated timings the spread is unknown; one timing on a GPU or a busy host commonly
// moves by a percent or two, so smaller differences are called uncertain.
constexpr double kUnknownNoiseSignificant = 0.02;

// Linear interpolation between the nearest ranks of sorted data.
double percentile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

std::string spread_text(const Result& r) {
  auto s = relative_spread(r);
  return s ? format_share(*s) : std::string("-");
}

// How many configs right after the best are within `significant` of it.
std::size_t tied_with_best(const std::vector<const Result*>& ranked, double significant) {
  std::size_t n = 0;
  for (std::size_t i = 1; i < ranked.size() && i <= kTieWindow; ++i) {
    if (ranked[i]->median_ms / ranked[0]->median_ms - 1 >= significant) break;
    ++n;
  }
  return n;
}

// The slow tail left out of the table: how often each parameter value occurs in it, so the
// model still sees which regions were covered.
std::string collapsed_tail(const FeedbackInputs& in, const std::vector<const Result*>& tail,
                           double best_ms) {
  std::string out = fmt::format(
      "(+ {} slower configs, {} to {}, not listed one by one; they were measured too and count "
      "as already measured. The values they use, with how many of them use each:)\n",
      tail.size(), format_ratio(tail.front()->median_ms / best_ms),
      format_ratio(tail.back()->median_ms / best_ms));
  const auto& params = in.space.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::vector<std::size_t> counts(params[i].values.size(), 0);
    for (const Result* r : tail) {
      if (i >= r->config.size()) continue;
      std::ptrdiff_t at = params[i].index_of(r->config[i]);
      if (at >= 0) ++counts[static_cast<std::size_t>(at)];
    }
    std::vector<std::string> parts;
    for (std::size_t v = 0; v < counts.size(); ++v)
      if (counts[v]) parts.push_back(fmt::format("{} ({})", value_json(params[i].values[v]), counts[v]));
    if (!parts.empty()) out += fmt::format("  {}: {}\n", params[i].name, joined(parts));
  }
  return out;
}

// Resource names that are bookkeeping of the measurement (recorded compile or run times), not
// properties of the compiled kernel.
bool is_bookkeeping(const std::string& name) {
  return name.size() >= 3 && name.compare(name.size() - 3, 3, "_ms") == 0;
}

std::size_t differing_params(const Config& a, const Config& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (!(a[i] == b[i])) ++n;
  return n;
}

std::vector<std::string> differing_names(const Space& space, const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < space.params().size() && i < a.size() && i < b.size(); ++i)
    if (!(a[i] == b[i])) out.push_back(space.params()[i].name);
  return out;
}

// The value counts of one parameter over the top configs, most used first (ties in the
// parameter's own value order).
std::vector<std::pair<Value, std::size_t>> value_counts(const Parameter& p, std::size_t index,
                                                        const std::vector<const Result*>& top) {
  std::vector<std::pair<Value, std::size_t>> counts;
  for (const Result* r : top) {
    if (index >= r->config.size()) continue;
    const Value& v = r->config[index];
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == v; });
    if (it == counts.end())
      counts.emplace_back(v, 1);
    else
      ++it->second;
  }
  std::stable_sort(counts.begin(), counts.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return p.index_of(a.first) < p.index_of(b.first);
  });
  return counts;
}

}  // namespace

bool counts_as_failed(const Result& r) {
  return !r.ok() || !std::isfinite(r.median_ms) || r.median_ms <= 0;
}

std::vector<const Result*> failed_results(const std::vector<Result>& results) {
  std::vector<const Result*> out;
  for (const Result& r : results)
    if (counts_as_failed(r)) out.push_back(&r);
  return out;
}

std::vector<const Result*> ranked_results(const std::vector<Result>& results) {
  std::vector<const Result*> out;
  for (const Result& r : results)
    if (!counts_as_failed(r)) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const Result* a, const Result* b) {
    if (a->median_ms != b->median_ms) return a->median_ms < b->median_ms;
    return a->key < b->key;
  });
  return out;
}

const Result* pick_second_anchor(const std::vector<const Result*>& ranked) {
  const Result* pick = ranked.size() > 1 ? ranked[1] : nullptr;
  std::size_t most = 0;
  for (std::size_t i = 1; i < ranked.size() && i <= kAnchorPool; ++i) {
    if (ranked[i]->median_ms > kAnchorMaxSlowdown * ranked[0]->median_ms) break;
    std::size_t d = differing_params(ranked[i]->config, ranked[0]->config);
    if (d > most) {
      pick = ranked[i];
      most = d;
    }
  }
  return pick;
}

std::optional<double> relative_spread(const Result& r) {
  std::vector<double> times;
  for (double t : r.times_ms)
    if (std::isfinite(t)) times.push_back(t);
  if (times.size() < 2) return std::nullopt;
  std::sort(times.begin(), times.end());
  const double median = percentile(times, 0.5);
  if (median <= 0) return std::nullopt;
  return (percentile(times, 0.75) - percentile(times, 0.25)) / median;
}

TimingNoise timing_noise(const std::vector<Result>& results) {
  std::vector<double> spreads;
  for (const Result& r : results)
    if (!counts_as_failed(r))
      if (auto s = relative_spread(r)) spreads.push_back(*s);
  TimingNoise noise;
  noise.sampled = spreads.size();
  if (spreads.empty()) {
    noise.significant = kUnknownNoiseSignificant;
    return noise;
  }
  std::sort(spreads.begin(), spreads.end());
  noise.typical = percentile(spreads, 0.5);
  noise.significant = std::max(kNoiseMultiple * *noise.typical, kMinSignificant);
  return noise;
}

std::string summarize_search_state(const FeedbackInputs& in) {
  const auto ranked = ranked_results(in.results);
  const std::size_t failed = in.results.size() - ranked.size();
  const TimingNoise noise = timing_noise(in.results);
  std::string out;
  if (ranked.empty()) {
    out += "- No config has run successfully yet.\n";
  } else {
    const double best = ranked[0]->median_ms;
    out += fmt::format("- Best so far: {} with {}\n", format_ms(best), diff_of(in, *ranked[0]));
    if (ranked.size() > 1) {
      const double second = ranked[1]->median_ms;
      out += fmt::format("- Runner-up: {}; the best is {:.1f}% faster{}\n", format_ms(second),
                         100 * (second - best) / second,
                         second / best - 1 < noise.significant ? " (within the timing noise)" : "");
    }
    if (noise.typical) {
      out += fmt::format("- Timing noise: a typical config's repeated timings spread by {} "
                         "(interquartile range over median, {} configs); differences below {} "
                         "are not significant.\n",
                         format_share(*noise.typical), noise.sampled,
                         format_share(noise.significant));
    } else {
      out += fmt::format("- Timing noise: unknown, each config was timed once; treat differences "
                         "below about {} as uncertain.\n",
                         format_share(noise.significant));
    }
    if (std::size_t tied = tied_with_best(ranked, noise.significant); tied >= 2) {
      out += fmt::format("- The {} fastest configs are within {} of each other, inside the noise: "
                         "treat them as tied and refine around each of them, not only #1.\n",
                         tied + 1, format_share(ranked[tied]->median_ms / best - 1));
    }
  }
  out += fmt::format("- Configs measured: {} ({} ran correctly, {} failed)\n", in.results.size(),
                     ranked.size(), failed);
  const SpaceSize size = in.space.size();
  if (size.count > 0) {
    out += fmt::format("- Coverage: {} of {}{} valid configs ({:.2g}%)\n", in.results.size(),
                       size.exact ? "" : "about ", format_count(std::round(size.count)),
                       100.0 * static_cast<double>(in.results.size()) / size.count);
  }
  return out;
}

std::string summarize_anchors(const FeedbackInputs& in) {
  const auto ranked = ranked_results(in.results);
  if (ranked.empty()) return "- None yet: no config has run successfully.\n";
  const Result& best = *ranked[0];
  std::string out = fmt::format("- Anchor 1 (the best): {} {}\n", format_ms(best.median_ms),
                                diff_of(in, best));
  const Result* second = pick_second_anchor(ranked);
  if (second) {
    out += fmt::format("- Anchor 2 ({} vs anchor 1; differs in {}): {} {}\n",
                       format_percent(second->median_ms / best.median_ms - 1),
                       joined(differing_names(in.space, second->config, best.config)),
                       format_ms(second->median_ms), diff_of(in, *second));
  }
  return out;
}

std::string format_results(const FeedbackInputs& in, std::size_t list_all_up_to) {
  const auto ranked = ranked_results(in.results);
  const std::size_t failed = in.results.size() - ranked.size();
  if (ranked.empty())
    return failed ? fmt::format("No config has run successfully yet; all {} failed (below).\n", failed)
                  : "Nothing measured yet.\n";
  // Past the limit, two thirds of the lines go to the fastest configs, the rest to failures
  // (see summarize_failed_configs).
  const std::size_t listed = in.results.size() > list_all_up_to
                                 ? std::min(ranked.size(), std::max<std::size_t>(1, list_all_up_to * 2 / 3))
                                 : ranked.size();
  std::string out = fmt::format(
      "{} configs ran. One line each: rank, median time, spread (interquartile range of its "
      "repeated timings over the median; \"-\" when timed once), time relative to the best, "
      "changes from the default.\n",
      ranked.size());
  out += "Every config in this list and among the failures has been measured already: do not "
         "propose any of them again. Repeats are removed before measuring, so each one only "
         "wastes a slot of the round.\n";
  const double best = ranked[0]->median_ms;
  for (std::size_t i = 0; i < listed; ++i) {
    const Result& r = *ranked[i];
    out += fmt::format("#{}  {}  {}  {}  {}\n", i + 1, format_ms(r.median_ms), spread_text(r),
                       format_ratio(r.median_ms / best), compact_diff_of(in, r));
  }
  if (listed < ranked.size()) {
    std::vector<const Result*> tail(ranked.begin() + static_cast<std::ptrdiff_t>(listed), ranked.end());
    out += collapsed_tail(in, tail, best);
  }
  return out;
}

std::string analyze_top_configs(const FeedbackInputs& in) {
  const auto ranked = ranked_results(in.results);
  if (ranked.size() < kMinPatternConfigs)
    return "Not enough successful configs to see patterns yet.\n";
  std::size_t n = std::clamp((ranked.size() + 3) / 4, kMinPatternConfigs, kMaxPatternConfigs);
  std::vector<const Result*> top(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n));
  std::string out = fmt::format("Over the {} fastest configs:\n", n);
  std::vector<std::string> at_default;
  const auto& params = in.space.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto counts = value_counts(params[i], i, top);
    if (counts.empty()) continue;
    const Value& def = in.default_config.size() > i ? in.default_config[i] : params[i].default_value;
    if (counts.size() == 1 && counts[0].first == def) {
      at_default.push_back(params[i].name);
      continue;
    }
    std::vector<std::string> parts;
    for (const auto& [value, count] : counts)
      parts.push_back(fmt::format("{} in {}", value_json(value), count));
    out += fmt::format("- {}: {}{} (default {})\n", params[i].name,
                       counts.size() == 1 ? "always " : "",
                       counts.size() == 1 ? value_json(counts[0].first) : joined(parts),
                       value_json(def));
  }
  if (!at_default.empty())
    out += fmt::format("- Never moved from the default in these configs: {}\n", joined(at_default));
  return out;
}

std::string summarize_resources(const FeedbackInputs& in, std::size_t limit) {
  const auto ranked = ranked_results(in.results);
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < limit; ++i) {
    const Result& r = *ranked[i];
    std::vector<std::string> parts;
    for (const auto& [name, value] : r.resources)
      if (!is_bookkeeping(name)) parts.push_back(fmt::format("{}={:.4g}", name, value));
    if (parts.empty()) continue;
    out += fmt::format("- #{} {} {}: {}\n", i + 1, format_ms(r.median_ms), diff_of(in, r),
                       joined(parts));
  }
  return out;
}

}  // namespace tuna::llm
