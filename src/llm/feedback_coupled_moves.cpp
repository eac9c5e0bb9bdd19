// One-step moves that the constraints rule out alone, each with the smallest change of one or two
// other parameters that makes it valid. Tiling parameters are often tied by divisibility rules: on the RTX 3090 GEMM
// recording the best configs of several panel runs had MDIMC = 32 with VWM = 4, where VWM 4 -> 8
// breaks MWG % (MDIMC * VWM) == 0; the optimum has VWM = 8 with MDIMC = 16. The one-parameter
// suggestions never name such a move, and a model that follows them stays on its side of the
// rule.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

#include "llm/feedback.hpp"
#include "llm/feedback_internal.hpp"
#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace {

bool ordered(const Parameter& p) {
  return p.kind != ParamKind::Bool && !p.values.empty() && p.values.front().is_number();
}

// The value indices one step from `at`: the next values in the list for numbers, every other
// value otherwise.
std::vector<std::size_t> steps_from(const Parameter& p, std::size_t at) {
  std::vector<std::size_t> out;
  if (ordered(p)) {
    if (at > 0) out.push_back(at - 1);
    if (at + 1 < p.values.size()) out.push_back(at + 1);
    return out;
  }
  for (std::size_t j = 0; j < p.values.size(); ++j)
    if (j != at) out.push_back(j);
  return out;
}

struct CoupledMove {
  std::size_t param = 0;
  std::vector<std::size_t> others;  // the parameters changed to make it valid
  Config config;
  std::vector<std::size_t> broken;  // indices into Space::constraints() of the move alone
};

// List positions between two values of `p` (1 for values without an order).
std::size_t distance(const Parameter& p, std::size_t a, std::size_t b) {
  if (!ordered(p)) return 1;
  return a > b ? a - b : b - a;
}

// The valid, unmeasured config that sets `moved` and changes one other parameter, or failing
// that two, as little as possible (fewest list positions in all; the first found on ties).
std::optional<CoupledMove> cheapest_repair(const FeedbackInputs& in,
                                           const std::set<std::string>& measured,
                                           const Config& moved, std::size_t param) {
  const auto& params = in.space.params();
  const std::size_t n = params.size();
  std::vector<std::size_t> at(n);
  for (std::size_t j = 0; j < n; ++j) {
    const std::ptrdiff_t k = params[j].index_of(moved[j]);
    if (k < 0) return std::nullopt;
    at[j] = static_cast<std::size_t>(k);
  }
  std::optional<CoupledMove> best;
  std::size_t best_cost = 0;
  auto consider = [&](Config c, std::vector<std::size_t> others, std::size_t cost) {
    if (best && cost >= best_cost) return;
    if (!in.space.is_valid(c) || measured.count(in.space.key(c))) return;
    best = CoupledMove{param, std::move(others), std::move(c), {}};
    best_cost = cost;
  };
  // Only parameters of three or more values repair: flipping a switch to make a move valid
  // changes the kernel's family (shared memory on, padding off), not its tiling.
  auto repairs = [&](std::size_t j) { return j != param && params[j].values.size() > 2; };
  for (std::size_t j = 0; j < n; ++j) {
    if (!repairs(j)) continue;
    for (std::size_t w = 0; w < params[j].values.size(); ++w) {
      if (w == at[j]) continue;
      Config c = moved;
      c[j] = params[j].values[w];
      consider(std::move(c), {j}, distance(params[j], w, at[j]));
    }
  }
  if (best) return best;
  for (std::size_t j = 0; j < n; ++j) {
    if (!repairs(j)) continue;
    for (std::size_t k = j + 1; k < n; ++k) {
      if (!repairs(k)) continue;
      for (std::size_t w = 0; w < params[j].values.size(); ++w) {
        if (w == at[j]) continue;
        for (std::size_t u = 0; u < params[k].values.size(); ++u) {
          if (u == at[k]) continue;
          Config c = moved;
          c[j] = params[j].values[w];
          c[k] = params[k].values[u];
          consider(std::move(c), {j, k},
                   distance(params[j], w, at[j]) + distance(params[k], u, at[k]));
        }
      }
    }
  }
  return best;
}

// The rules the move alone breaks, as written; a recorded space's restriction to its recorded
// configs (its last pseudo-constraint) in words.
std::string broken_rules(const Space& space, const std::vector<std::size_t>& broken) {
  std::vector<std::string> rules;
  bool unrecorded = false;
  for (std::size_t k : broken) {
    if (k >= space.constraints().size()) continue;
    if (space.restricted() && k + 1 == space.constraints().size())
      unrecorded = true;  // named only when no stated rule explains it
    else
      rules.push_back(space.constraints()[k].expr.text());
  }
  if (rules.empty() && unrecorded) return "the recording holds no such config";
  return detail::joined(rules, "; ");
}

std::string change_text(const Parameter& p, const Value& from, const Value& to) {
  return fmt::format("{} {} -> {}", p.name, value_json(from), value_json(to));
}

}  // namespace

std::string constrained_moves(const FeedbackInputs& in, const Config& config, std::size_t limit,
                              const std::string& indent) {
  const auto& params = in.space.params();
  if (config.size() != params.size() || limit == 0 || in.space.constraints().empty()) return {};
  const std::set<std::string> measured = detail::measured_keys(in);
  const ValueTable table = value_table(in);
  const double baseline = failure_baseline(in.results);
  // A parameter whose values have all timed within the noise is not worth two changes.
  const auto sens = parameter_sensitivity(in, table);
  const double significant = timing_noise(in.results).significant;
  std::vector<CoupledMove> moves;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::ptrdiff_t at = params[i].index_of(config[i]);
    if (at < 0 || (sens[i].values_ran >= 2 && sens[i].ratio - 1 < significant)) continue;
    for (std::size_t v : steps_from(params[i], static_cast<std::size_t>(at))) {
      if (i < table.size() && v < table[i].size() && failure_prone(table[i][v], baseline)) continue;
      Config moved = config;
      moved[i] = params[i].values[v];
      if (in.space.is_valid(moved)) continue;  // the one-parameter suggestions cover it
      std::optional<CoupledMove> move = cheapest_repair(in, measured, moved, i);
      if (!move) continue;
      move->broken = in.space.violations(moved);
      moves.push_back(std::move(*move));
    }
  }
  // The parameters that changed the time most first, as the one-parameter suggestions rank.
  std::stable_sort(moves.begin(), moves.end(), [&](const CoupledMove& a, const CoupledMove& b) {
    return sens[a.param].ratio > sens[b.param].ratio;
  });
  std::string out;
  for (std::size_t k = 0; k < moves.size() && k < limit; ++k) {
    const CoupledMove& m = moves[k];
    std::vector<std::string> with;
    for (std::size_t j : m.others) with.push_back(change_text(params[j], config[j], m.config[j]));
    out += fmt::format("{}- {} with {} (alone it breaks {})\n", indent,
                       change_text(params[m.param], config[m.param], m.config[m.param]),
                       detail::joined(with, " and "), broken_rules(in.space, m.broken));
  }
  return out;
}

}  // namespace tuna::llm
