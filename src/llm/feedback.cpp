#include "llm/feedback.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace {

// Anchor 2 is picked among this many configs after the best: far enough down to find a
// different family, near enough that it is still worth refining.
constexpr std::size_t kAnchorPool = 5;
// ... and no slower than this times the best (the rebenchmark threshold): a config far behind
// is a different family, but not one worth refining.
constexpr double kAnchorMaxSlowdown = 1.5;
// Patterns are read from the top quarter of the results, between these bounds.
constexpr std::size_t kMinPatternConfigs = 3;
constexpr std::size_t kMaxPatternConfigs = 10;
constexpr std::size_t kMaxMessageChars = 160;

std::string key_of(const Space& space, const Result& r) {
  if (r.config.size() == space.params().size()) return space.key(r.config);
  return r.key;
}

std::string diff_of(const FeedbackInputs& in, const Result& r) {
  if (r.config.size() != in.space.params().size()) return "{}";
  return diff_json(in.space, r.config, in.default_config);
}

std::string one_line(std::string_view text) {
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

std::string joined(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
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

std::string summarize_search_state(const FeedbackInputs& in) {
  const auto ranked = ranked_results(in.results);
  const std::size_t failed = in.results.size() - ranked.size();
  std::string out;
  if (ranked.empty()) {
    out += "- No config has run successfully yet.\n";
  } else {
    out += fmt::format("- Best so far: {} with {}\n", format_ms(ranked[0]->median_ms),
                       diff_of(in, *ranked[0]));
    if (ranked.size() > 1) {
      double second = ranked[1]->median_ms;
      out += fmt::format("- Runner-up: {}; the best is {:.1f}% faster\n", format_ms(second),
                         100 * (second - ranked[0]->median_ms) / second);
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

std::string format_results(const FeedbackInputs& in, std::size_t limit) {
  const auto ranked = ranked_results(in.results);
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < limit; ++i) {
    std::string rel = i == 0 ? "best" : format_percent(ranked[i]->median_ms / ranked[0]->median_ms - 1);
    out += fmt::format("- #{} {} ({}) {}\n", i + 1, format_ms(ranked[i]->median_ms), rel,
                       diff_of(in, *ranked[i]));
  }
  if (ranked.empty()) out += "- No successful configs yet.\n";
  if (ranked.size() > limit)
    out += fmt::format("({} more successful configs not shown)\n", ranked.size() - limit);
  const std::size_t failed = in.results.size() - ranked.size();
  if (failed) out += fmt::format("({} configs failed; see the failures below)\n", failed);
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

std::string summarize_failed_configs(const FeedbackInputs& in, std::size_t limit) {
  auto failed = failed_results(in.results);
  if (failed.empty()) return {};
  std::stable_sort(failed.begin(), failed.end(), [](const Result* a, const Result* b) {
    if (a->status != b->status) return a->status < b->status;
    return a->error_class < b->error_class;
  });
  std::map<std::string, std::size_t> counts;
  for (const Result* r : failed)
    ++counts[r->ok() ? std::string("no_time") : std::string(status_name(r->status))];
  std::vector<std::string> count_parts;
  for (const auto& [status, count] : counts) count_parts.push_back(fmt::format("{}={}", status, count));
  std::string out = fmt::format("Counts: {}\n", joined(count_parts));
  for (std::size_t i = 0; i < failed.size() && i < limit; ++i) {
    const Result& r = *failed[i];
    std::string label = r.ok() ? "no_time" : status_name(r.status);
    if (!r.error_class.empty()) label += " [" + one_line(r.error_class) + "]";
    std::string reason = one_line(r.message);
    out += fmt::format("- {} {}{}\n", label, diff_of(in, r), reason.empty() ? "" : ": " + reason);
  }
  if (failed.size() > limit)
    out += fmt::format("({} more failed configs not shown)\n", failed.size() - limit);
  return out;
}

std::string summarize_resources(const FeedbackInputs& in, std::size_t limit) {
  const auto ranked = ranked_results(in.results);
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < limit; ++i) {
    const Result& r = *ranked[i];
    if (r.resources.empty()) continue;
    std::vector<std::string> parts;
    for (const auto& [name, value] : r.resources) parts.push_back(fmt::format("{}={:.4g}", name, value));
    out += fmt::format("- #{} {} {}: {}\n", i + 1, format_ms(r.median_ms), diff_of(in, r),
                       joined(parts));
  }
  return out;
}

std::string untried_moves(const FeedbackInputs& in, const Config& config,
                          const std::string& indent) {
  if (config.size() != in.space.params().size()) return {};
  std::set<std::string> measured;
  for (const Result& r : in.results) measured.insert(key_of(in.space, r));
  const auto& params = in.space.params();
  std::vector<std::vector<std::string>> per_param(params.size());
  for (const Config& n : in.space.neighbours(config, 1)) {
    if (measured.count(in.space.key(n))) continue;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (!(n[i] == config[i])) per_param[i].push_back(value_json(n[i]));
  }
  std::string out;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (!per_param[i].empty())
      out += fmt::format("{}- {} (now {}): {}\n", indent, params[i].name, value_json(config[i]),
                         joined(per_param[i]));
  return out;
}

}  // namespace tuna::llm
