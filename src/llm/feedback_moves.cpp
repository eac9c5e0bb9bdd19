// Which one-parameter moves of an anchor to measure next, and why. A move is left out when the
// measurements or the device's limits say it will fail or spill; the rest are ranked by how much
// their parameter has changed the time so far, so the model's few slots go where they can pay.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "llm/feedback.hpp"
#include "llm/feedback_internal.hpp"
#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace {

using detail::joined;

// At most this many left-out moves are named; the rest are counted.
constexpr std::size_t kMaxDroppedNamed = 6;
// At most this many values' best times are shown for one parameter.
constexpr std::size_t kMaxValuesShown = 8;

// Strong: the parameter's values changed the time by more than the noise. FarOnly: they did,
// but the values this move would try were measured only in configs far from the anchor, where
// other settings may explain their times. Untested: one value ran. Flat: within the noise.
enum class Evidence { Strong, FarOnly, Untested, Flat };

std::optional<double> positive(const std::map<std::string, double>& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end() || !std::isfinite(it->second) || it->second <= 0) return std::nullopt;
  return it->second;
}

std::optional<double> device_fact(const DeviceInfo* device, const char* name) {
  if (!device) return std::nullopt;
  const Value* v = device->facts.find(name);
  if (!v || !v->is_number() || v->is_bool()) return std::nullopt;
  const double x = v->as_double();
  return std::isfinite(x) && x > 0 ? std::optional<double>(x) : std::nullopt;
}

const Result* measured_ok(const FeedbackInputs& in, const Config& config) {
  const std::string key = in.space.key(config);
  for (const Result& r : in.results)
    if (!counts_as_failed(r) && detail::key_of(in.space, r) == key) return &r;
  return nullptr;
}

// Why the launch of `move` would exceed the device's limits, judged from the spec's launch
// geometry for that config and the anchor's compiled resources (registers per thread and
// static shared memory rarely fall when tiles grow, so the anchor's are a lower bound).
std::optional<std::string> resource_overflow(const FeedbackInputs& in, const Result* anchor,
                                             const Config& move) {
  if (!in.spec || !in.device) return std::nullopt;
  LaunchDims dims;
  try {
    dims = launch_dims(in.spec->launch, in.spec->env_for(in.space, move, *in.device));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const double threads = static_cast<double>(dims.block[0] * dims.block[1] * dims.block[2]);
  if (auto max = device_fact(in.device, "max_threads_per_block"); max && threads > *max)
    return fmt::format("needs {:.0f} threads per block; the device allows {:.0f}", threads, *max);
  const std::map<std::string, double> none;
  const auto& res = anchor ? anchor->resources : none;
  if (auto fn_max = positive(res, "max_threads_per_block"); fn_max && threads > *fn_max)
    return fmt::format(
        "needs {:.0f} threads per block; at the anchor's register use the kernel "
        "launches at most {:.0f}",
        threads, *fn_max);
  auto regs = positive(res, "registers");
  auto reg_limit = device_fact(in.device, "registers_per_block");
  if (regs && reg_limit && *regs * threads > *reg_limit)
    return fmt::format(
        "{:.0f} threads x {:.0f} registers = {:.0f} registers per block, above the "
        "device's {:.0f}",
        threads, *regs, *regs * threads, *reg_limit);
  const double shared = positive(res, "static_shared_bytes").value_or(0) +
                        static_cast<double>(dims.shared_memory_bytes);
  auto limit = device_fact(in.device, "shared_memory_per_block");
  if (auto optin = device_fact(in.device, "shared_memory_per_block_optin"))
    limit = std::max(limit.value_or(0), *optin);
  if (limit && shared > *limit)
    return fmt::format("needs {} of shared memory per block; the device allows {}",
                       format_bytes(shared), format_bytes(*limit));
  return std::nullopt;
}

std::optional<std::string> drop_reason(const FeedbackInputs& in, const ValueTable& table,
                                       double baseline, const Result* anchor, const Config& move,
                                       std::size_t param, std::ptrdiff_t value) {
  if (value >= 0) {
    const ValueStats& s = table[param][static_cast<std::size_t>(value)];
    if (failure_prone(s, baseline))
      return fmt::format("failed in {} of the {} configs that use it", s.failed, s.measured);
    const bool anchor_spills = anchor && detail::spills(*anchor);
    if (!anchor_spills && s.with_resources >= 2 && s.spilled * 2 > s.with_resources)
      return fmt::format("spilled registers in {} of the {} configs that use it", s.spilled,
                         s.with_resources);
  }
  return resource_overflow(in, anchor, move);
}

Evidence evidence_of(const ParamSensitivity& s, double significant) {
  if (s.values_ran < 2) return Evidence::Untested;
  return s.ratio - 1 >= significant ? Evidence::Strong : Evidence::Flat;
}

std::string best_per_value(const Parameter& p, const std::vector<ValueStats>& stats) {
  std::vector<std::string> parts;
  for (std::size_t v = 0; v < stats.size() && parts.size() < kMaxValuesShown; ++v)
    if (std::isfinite(stats[v].best_ms))
      parts.push_back(fmt::format("{} {}", value_json(p.values[v]), format_ms(stats[v].best_ms)));
  return joined(parts);
}

std::string why(const Parameter& p, const std::vector<ValueStats>& stats, const ParamSensitivity& s,
                Evidence e, const Value& now) {
  switch (e) {
    case Evidence::Strong:
      return fmt::format("{} matters: best time per value spans {} ({})", p.name,
                         format_ratio(s.ratio), best_per_value(p, stats));
    case Evidence::FarOnly:
      return fmt::format(
          "not yet tried near this config: the configs with {} differ from it in {} or more "
          "other parameters, so their times ({}) say little about this move",
          p.name, detail::kNearOtherParams + 1, best_per_value(p, stats));
    case Evidence::Untested:
      return fmt::format("effect not measured yet (no other value than {} ran)", value_json(now));
    case Evidence::Flat:
      return fmt::format("low priority: best time per value spans only {}, within the noise",
                         format_ratio(s.ratio));
  }
  return {};
}

}  // namespace

namespace detail {

std::set<std::string> measured_keys(const FeedbackInputs& in) {
  std::set<std::string> keys;
  for (const Result& r : in.results) keys.insert(key_of(in.space, r));
  return keys;
}

std::optional<std::size_t> nearest_use(const FeedbackInputs& in, const Config& anchor,
                                       std::size_t param, const std::vector<Value>& values) {
  std::optional<std::size_t> best;
  for (const Result& r : in.results) {
    if (counts_as_failed(r) || r.config.size() != anchor.size()) continue;
    if (std::find(values.begin(), values.end(), r.config[param]) == values.end()) continue;
    std::size_t d = 0;
    for (std::size_t j = 0; j < anchor.size(); ++j) d += j != param && !(r.config[j] == anchor[j]);
    if (!best || d < *best) best = d;
  }
  return best;
}

}  // namespace detail

std::vector<ParamSensitivity> parameter_sensitivity(const FeedbackInputs& in,
                                                    const ValueTable& table) {
  std::vector<ParamSensitivity> out(in.space.params().size());
  for (std::size_t i = 0; i < out.size() && i < table.size(); ++i) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const ValueStats& s : table[i]) {
      if (!std::isfinite(s.best_ms)) continue;
      ++out[i].values_ran;
      lo = std::min(lo, s.best_ms);
      hi = std::max(hi, s.best_ms);
    }
    if (out[i].values_ran >= 2 && lo > 0) out[i].ratio = hi / lo;
  }
  return out;
}

std::string untried_moves(const FeedbackInputs& in, const Config& config,
                          const std::string& indent) {
  if (config.size() != in.space.params().size()) return {};
  const std::set<std::string> measured = detail::measured_keys(in);
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

std::string suggested_moves(const FeedbackInputs& in, const Config& config, std::size_t limit,
                            const std::string& indent) {
  const auto& params = in.space.params();
  if (config.size() != params.size()) return {};
  const std::set<std::string> measured = detail::measured_keys(in);
  const ValueTable table = value_table(in);
  const double baseline = failure_baseline(in.results);
  const Result* anchor = measured_ok(in, config);

  std::vector<std::vector<std::string>> kept(params.size());
  std::vector<std::vector<Value>> kept_values(params.size());
  std::vector<std::string> dropped;
  for (const Config& n : in.space.neighbours(config, 1)) {
    if (measured.count(in.space.key(n))) continue;
    std::size_t i = 0;
    while (i < params.size() && n[i] == config[i]) ++i;
    if (i == params.size()) continue;
    const std::ptrdiff_t v = params[i].index_of(n[i]);
    if (auto reason = drop_reason(in, table, baseline, anchor, n, i, v))
      dropped.push_back(fmt::format("{} ({})", setting_compact(params[i], n[i]), *reason));
    else {
      kept[i].push_back(value_json(n[i]));
      kept_values[i].push_back(n[i]);
    }
  }

  const double significant = timing_noise(in.results).significant;
  const auto sens = parameter_sensitivity(in, table);
  // A strong effect read from configs far from the anchor is no evidence about the move: every
  // target value measured, but never near the anchor.
  std::vector<Evidence> evidence(params.size(), Evidence::Flat);
  for (std::size_t i = 0; i < params.size(); ++i) {
    evidence[i] = evidence_of(sens[i], significant);
    if (evidence[i] != Evidence::Strong || kept_values[i].empty()) continue;
    auto nearest = detail::nearest_use(in, config, i, kept_values[i]);
    if (nearest && *nearest > detail::kNearOtherParams) evidence[i] = Evidence::FarOnly;
  }
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (!kept[i].empty()) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Evidence ea = evidence[a], eb = evidence[b];
    if (ea != eb) return ea < eb;
    return ea == Evidence::Strong && sens[a].ratio > sens[b].ratio;
  });

  std::string out;
  for (std::size_t k = 0; k < order.size() && k < limit; ++k) {
    const std::size_t i = order[k];
    out += fmt::format(
        "{}- {} {} -> {}: {}\n", indent, params[i].name, value_json(config[i]),
        joined(kept[i], " or "),
        why(params[i], table[i], sens[i], evidence[i], config[i]));
  }
  if (order.size() > limit) {
    std::vector<std::string> rest;
    for (std::size_t k = limit; k < order.size(); ++k) rest.push_back(params[order[k]].name);
    out += fmt::format("{}- (less promising, not listed: moves of {})\n", indent, joined(rest));
  }
  if (!dropped.empty()) {
    const std::size_t named = std::min(dropped.size(), kMaxDroppedNamed);
    std::vector<std::string> shown(dropped.begin(),
                                   dropped.begin() + static_cast<std::ptrdiff_t>(named));
    out += fmt::format("{}- Not worth a slot: {}{}\n", indent, joined(shown, "; "),
                       dropped.size() > named ? fmt::format("; and {} more", dropped.size() - named)
                                              : std::string());
  }
  return out;
}

}  // namespace tuna::llm
