// Failures for the refinement prompt: each failed config with its status, error class and
// reason, and where failures concentrate (per parameter value and per pair of values), so the
// model learns where the feasible region ends.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "llm/feedback.hpp"
#include "llm/feedback_internal.hpp"
#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace {

using detail::compact_diff_of;
using detail::joined;
using detail::one_line;

// A value (or pair) is called failure-prone only with at least this many failures: one failure
// may be caused by any of the config's other settings.
constexpr std::size_t kMinFailures = 2;
// ... when at least this share of its configs failed, and this much above the overall share.
constexpr double kProneRate = 0.5;
constexpr double kProneMargin = 0.25;
// Values count as safe with at least this many configs and no failure.
constexpr std::size_t kMinSafeConfigs = 3;
// Pairs of values are reported up to this many: they explain combinations (two large tiles
// together) that single values do not.
constexpr std::size_t kMaxPairs = 6;

// Failures sort into groups by this: the status, with "ran but no usable time" last.
int group_rank(const Result& r) { return r.ok() ? 100 : static_cast<int>(r.status); }
std::string group_label(const Result& r) { return r.ok() ? "no_time" : status_name(r.status); }

double rate(std::size_t failed, std::size_t measured) {
  return measured ? static_cast<double>(failed) / static_cast<double>(measured) : 0;
}

std::string failure_line(const FeedbackInputs& in, const Result& r) {
  std::string line = "- " + compact_diff_of(in, r);
  if (!r.error_class.empty() && r.error_class != group_label(r))
    line += " [" + one_line(r.error_class) + "]";
  if (!message_is_bare_record(r)) {
    if (std::string reason = one_line(r.message); !reason.empty()) line += ": " + reason;
  }
  return line + "\n";
}

struct PairStats {
  std::size_t a = 0, va = 0, b = 0, vb = 0;  // parameter and value indices
  std::size_t measured = 0, failed = 0;
};

// Failure counts of every pair of values that occurs together in a measured config.
std::vector<PairStats> pair_table(const FeedbackInputs& in) {
  const auto& params = in.space.params();
  std::vector<PairStats> pairs;
  auto find = [&](const PairStats& key) -> PairStats& {
    for (PairStats& p : pairs)
      if (std::tie(p.a, p.va, p.b, p.vb) == std::tie(key.a, key.va, key.b, key.vb)) return p;
    pairs.push_back(key);
    return pairs.back();
  };
  for (const Result& r : in.results) {
    if (r.config.size() != params.size()) continue;
    const bool failed = counts_as_failed(r);
    for (std::size_t a = 0; a < params.size(); ++a) {
      const std::ptrdiff_t va = params[a].index_of(r.config[a]);
      if (va < 0) continue;
      for (std::size_t b = a + 1; b < params.size(); ++b) {
        const std::ptrdiff_t vb = params[b].index_of(r.config[b]);
        if (vb < 0) continue;
        PairStats& p = find({a, static_cast<std::size_t>(va), b, static_cast<std::size_t>(vb)});
        ++p.measured;
        if (failed) ++p.failed;
      }
    }
  }
  return pairs;
}

std::string setting(const Space& space, std::size_t param, std::size_t value) {
  const Parameter& p = space.params()[param];
  return setting_compact(p, p.values[value]);
}

// One line per parameter with failure-prone values: those values with their rates, then the
// values of the same parameter that never failed (the side of the boundary that works).
std::string prone_value_lines(const FeedbackInputs& in, const ValueTable& table, double baseline) {
  std::string out;
  const auto& params = in.space.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::vector<std::string> prone, safe;
    std::size_t safe_configs = 0;
    for (std::size_t v = 0; v < table[i].size(); ++v) {
      const ValueStats& s = table[i][v];
      if (failure_prone(s, baseline)) {
        prone.push_back(fmt::format("{} failed in {} of {} configs ({})", setting(in.space, i, v),
                                    s.failed, s.measured,
                                    format_share(rate(s.failed, s.measured))));
      } else if (s.failed == 0 && s.measured >= kMinSafeConfigs) {
        safe.push_back(value_json(params[i].values[v]));
        safe_configs += s.measured;
      }
    }
    if (prone.empty()) continue;
    out += "- " + joined(prone, "; ");
    if (!safe.empty())
      out += fmt::format("; never failed with {}={} ({} configs)", params[i].name,
                         joined(safe, ", "), safe_configs);
    out += "\n";
  }
  return out;
}

// Pairs that fail together although neither value is failure-prone alone.
std::string prone_pair_lines(const FeedbackInputs& in, const ValueTable& table, double baseline) {
  std::vector<PairStats> picked;
  for (const PairStats& p : pair_table(in)) {
    const ValueStats& sa = table[p.a][p.va];
    const ValueStats& sb = table[p.b][p.vb];
    if (failure_prone(sa, baseline) || failure_prone(sb, baseline)) continue;
    const ValueStats pair{p.measured, p.failed};
    const double alone = std::max(rate(sa.failed, sa.measured), rate(sb.failed, sb.measured));
    if (failure_prone(pair, baseline) && rate(p.failed, p.measured) >= alone + kProneMargin)
      picked.push_back(p);
  }
  std::stable_sort(picked.begin(), picked.end(), [](const PairStats& x, const PairStats& y) {
    if (x.failed != y.failed) return x.failed > y.failed;
    return rate(x.failed, x.measured) > rate(y.failed, y.measured);
  });
  std::string out;
  for (std::size_t k = 0; k < picked.size() && k < kMaxPairs; ++k) {
    const PairStats& p = picked[k];
    out += fmt::format("- {} together with {}: {} of {} configs failed (each alone fails less)\n",
                       setting(in.space, p.a, p.va), setting(in.space, p.b, p.vb), p.failed,
                       p.measured);
  }
  return out;
}

}  // namespace

const char* status_meaning(Status status) {
  switch (status) {
    case Status::Ok:
      return "ran, but gave no usable time";
    case Status::Invalid:
      return "rejected before compiling: it breaks a constraint of the space or uses a value off "
             "a parameter's list";
    case Status::CompileError:
      return "failed to compile, for example more registers or shared memory than allowed, or a "
             "combination of tile sizes the kernel cannot be built with";
    case Status::RuntimeError:
      return "compiled, but failed at launch or while running, for example too many threads or "
             "too much shared memory per block, or an illegal memory access";
    case Status::Timeout:
      return "took longer than the time limit to compile or to run";
    case Status::WrongResult:
      return "ran, but its output differs from the reference: the config breaks an assumption "
             "of the kernel (for example a tile that does not divide the problem)";
  }
  return "failed";
}

bool message_is_bare_record(const Result& r) {
  constexpr std::string_view kPrefix = "recorded as ";
  return r.message.rfind(kPrefix, 0) == 0 &&
         r.message.find(' ', kPrefix.size()) == std::string::npos;
}

std::string summarize_failed_configs(const FeedbackInputs& in, std::size_t list_all_up_to) {
  auto failed = failed_results(in.results);
  if (failed.empty()) return {};
  std::stable_sort(failed.begin(), failed.end(), [](const Result* a, const Result* b) {
    if (group_rank(*a) != group_rank(*b)) return group_rank(*a) < group_rank(*b);
    return a->error_class < b->error_class;
  });
  // Past the limit, a third of the lines go to failures (see format_results).
  const std::size_t listed =
      in.results.size() > list_all_up_to
          ? std::min(failed.size(), std::max<std::size_t>(1, list_all_up_to / 3))
          : failed.size();
  std::string out = fmt::format(
      "{} of the {} measured configs failed; each group says what its "
      "status means. They count as measured: do not propose them again.\n",
      failed.size(), in.results.size());
  for (std::size_t i = 0; i < failed.size();) {
    std::size_t end = i;
    bool all_bare = true;
    while (end < failed.size() && group_rank(*failed[end]) == group_rank(*failed[i])) {
      all_bare = all_bare && message_is_bare_record(*failed[end]);
      ++end;
    }
    out += fmt::format("{}, {} config{}: {}{}\n", group_label(*failed[i]), end - i,
                       end - i == 1 ? "" : "s",
                       status_meaning(failed[i]->ok() ? Status::Ok : failed[i]->status),
                       all_bare ? " (replayed from a recording; no compiler or runtime message "
                                  "was kept)"
                                : "");
    for (std::size_t k = i; k < end && k < listed; ++k) out += failure_line(in, *failed[k]);
    i = end;
  }
  if (failed.size() > listed)
    out += fmt::format(
        "({} more failed configs not listed one by one; they were measured too, "
        "and the failure rates below include them)\n",
        failed.size() - listed);
  return out;
}

ValueTable value_table(const FeedbackInputs& in) {
  const auto& params = in.space.params();
  ValueTable table(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) table[i].resize(params[i].values.size());
  for (const Result& r : in.results) {
    if (r.config.size() != params.size()) continue;
    const bool failed = counts_as_failed(r);
    const bool reports_spills =
        std::any_of(r.resources.begin(), r.resources.end(),
                    [](const auto& kv) { return kv.first.find("spill") != std::string::npos; });
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::ptrdiff_t v = params[i].index_of(r.config[i]);
      if (v < 0) continue;
      ValueStats& s = table[i][static_cast<std::size_t>(v)];
      ++s.measured;
      if (failed) {
        ++s.failed;
        continue;
      }
      s.best_ms = std::min(s.best_ms, r.median_ms);
      if (reports_spills) {
        ++s.with_resources;
        if (detail::spills(r)) ++s.spilled;
      }
    }
  }
  return table;
}

double failure_baseline(const std::vector<Result>& results) {
  return rate(failed_results(results).size(), results.size());
}

bool failure_prone(const ValueStats& stats, double baseline) {
  const double r = rate(stats.failed, stats.measured);
  return stats.failed >= kMinFailures && r >= kProneRate && r >= baseline + kProneMargin;
}

std::string summarize_failure_rates(const FeedbackInputs& in) {
  const std::size_t failed = failed_results(in.results).size();
  if (failed == 0) return {};
  const double baseline = failure_baseline(in.results);
  const ValueTable table = value_table(in);
  const std::string values = prone_value_lines(in, table, baseline);
  const std::string pairs = prone_pair_lines(in, table, baseline);
  std::string out = fmt::format(
      "Where the failures concentrate ({} of {} configs failed overall, "
      "{}):\n",
      failed, in.results.size(), format_share(baseline));
  if (values.empty() && pairs.empty())
    return out + "- No parameter value or pair of values fails clearly more often than that.\n";
  return out + values + pairs;
}

}  // namespace tuna::llm
