// random_valid: three samplers, chosen by SamplingMethod (docs/space.md has the reasoning).
//
// Enumerated: when a pruned enumeration of the space finishes within a fixed budget, every
// valid config is kept (as value indices) and a draw is one uniform index: exactly uniform.
//
// Probe: a random descent that, at each level, counts the values passing the constraints
// checkable there (k) and picks one uniformly. A leaf x is reached with probability
// q(x) = prod 1/k, so accepting it with probability w(x)/M, w(x) = prod k, makes every valid
// config equally likely (rejection sampling with proposal q): exactly uniform whenever M is at
// least the largest weight. M is the largest weight seen in a fixed warm-up; a config whose
// weight exceeds M is accepted with probability 1, i.e. under-sampled by the factor M/w(x).
// That is the only bias, and it only touches configs rarer than anything the warm-up saw.
//
// Backtrack: randomised depth-first search with backtracking. It picks uniformly among values
// that have at least one valid completion, which over-samples configs in thinly populated
// subtrees. The probe sampler falls back to short, node-bounded backtracking runs between
// rounds of probes when probes keep dying; run to the end, it also proves a space empty.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "core/space_core.hpp"
#include "tuna/errors.hpp"

namespace tuna {

namespace detail {

namespace {

constexpr int kWarmupProbes = 4000;
constexpr std::uint64_t kWarmupSeed = 0x7475'6e61'7761'726d;  // fixed: draws stay reproducible
constexpr int kProbesPerRound = 20000;
constexpr std::uint64_t kBacktrackNodesPerRound = 200000;
constexpr int kRounds = 50;  // about 1e6 probes and 1e7 backtracking nodes: seconds, not hours

double grid_points(const SpaceCore& core) {
  double g = 1;
  for (const auto& p : core.params) g *= static_cast<double>(p.values.size());
  return g;
}

std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
  return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

double probe_bound(const SpaceCore& core) {
  std::call_once(core.probe_once, [&core] {
    std::mt19937_64 rng(kWarmupSeed);
    ProbeScratch scratch(core);
    double bound = 0;
    for (int i = 0; i < kWarmupProbes; ++i)
      bound = std::max(bound, probe(core, core.sampling, rng, scratch));
    core.probe_bound = bound;
  });
  return core.probe_bound;
}

std::string constraint_list(const SpaceCore& core) {
  std::string list;
  for (const auto& c : core.constraints) {
    if (!list.empty()) list += "; ";
    list += c.expr.text();
    if (!c.origin.empty()) list += " (" + c.origin + ")";
  }
  return list;
}

[[noreturn]] void throw_empty(const SpaceCore& core) {
  throw UserError(fmt::format("no configuration satisfies the constraints [{}]; relax a "
                              "constraint or widen a parameter's values",
                              constraint_list(core)));
}

struct Backtracker {
  const SpaceCore& core;
  std::mt19937_64& rng;
  ProbeScratch& s;
  std::vector<std::vector<std::size_t>> orders;
  std::uint64_t nodes_left;
};

bool backtrack(Backtracker& b, std::size_t level) {
  const SpaceCore& core = b.core;
  ProbeScratch& s = b.s;
  if (level == core.params.size()) return true;
  const std::size_t p = core.sampling.order[level];
  auto& order = b.orders[level];
  order.resize(core.params[p].values.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), b.rng);
  for (std::size_t v : order) {
    if (b.nodes_left == 0) return false;
    --b.nodes_left;
    s.cur[p] = core.params[p].values[v];
    s.idx[p] = v;
    if (core.level_ok(core.sampling, level, s.cur) && backtrack(b, level + 1)) return true;
  }
  return false;
}

// Runs a randomised backtracking search of at most `nodes` nodes; `exhausted` tells whether it
// stopped for lack of budget rather than by covering the whole tree.
std::optional<Config> backtrack_search(const SpaceCore& core, std::mt19937_64& rng,
                                       std::uint64_t nodes, bool& exhausted) {
  ProbeScratch s(core);
  Backtracker b{core, rng, s, std::vector<std::vector<std::size_t>>(core.params.size()), nodes};
  bool found = backtrack(b, 0);
  exhausted = b.nodes_left == 0;
  if (found) return Config(s.cur);
  return std::nullopt;
}

Config draw_enumerated(const SpaceCore& core, const ValidList& list, std::mt19937_64& rng) {
  if (list.count == 0) throw_empty(core);
  std::size_t row = uniform_index(rng, list.count);
  std::vector<std::size_t> idx(list.width);
  for (std::size_t i = 0; i < list.width; ++i) idx[i] = list.rows[row * list.width + i];
  return config_from_indices(core, idx);
}

Config draw_backtrack(const SpaceCore& core, std::mt19937_64& rng) {
  if (!core.unconditional_ok()) throw_empty(core);
  bool exhausted = false;
  auto found = backtrack_search(core, rng, std::numeric_limits<std::uint64_t>::max(), exhausted);
  if (!found) throw_empty(core);
  return *found;
}

Config draw_probe(const SpaceCore& core, std::mt19937_64& rng) {
  if (!core.unconditional_ok()) throw_empty(core);
  const ValidList& list = valid_list(core);
  if (list.available && list.count == 0) throw_empty(core);
  double bound = probe_bound(core);
  ProbeScratch s(core);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  for (int round = 0; round < kRounds; ++round) {
    for (int attempt = 0; attempt < kProbesPerRound; ++attempt) {
      double w = probe(core, core.sampling, rng, s);
      if (w == 0) continue;
      if (bound <= 0 || w >= bound || coin(rng) * bound < w) return Config(s.cur);
    }
    // Probes keep dying: a short backtracking run finds configs that need several
    // coordinated choices, at the price of its bias (see above).
    bool exhausted = false;
    if (auto found = backtrack_search(core, rng, kBacktrackNodesPerRound, exhausted))
      return *found;
    if (!exhausted) throw_empty(core);  // the whole tree was searched
  }
  throw UserError(fmt::format(
      "could not find a valid configuration in {} random attempts: the constraints [{}] leave "
      "very few (if any) of the {:.3g} grid points valid; check the constraints, or list the "
      "valid values more tightly",
      kRounds * kProbesPerRound, constraint_list(core), grid_points(core)));
}

}  // namespace

ProbeScratch::ProbeScratch(const SpaceCore& core)
    : cur(core.params.size()), idx(core.params.size(), 0) {
  for (std::size_t i = 0; i < core.params.size(); ++i) cur[i] = core.params[i].default_value;
}

double probe(const SpaceCore& core, const WalkPlan& plan, std::mt19937_64& rng,
             ProbeScratch& s) {
  if (!core.unconditional_ok()) return 0;
  double weight = 1;
  for (std::size_t level = 0; level < plan.order.size(); ++level) {
    const std::size_t p = plan.order[level];
    const auto& values = core.params[p].values;
    std::size_t chosen = 0;
    if (plan.ready[level].empty()) {
      weight *= static_cast<double>(values.size());
      chosen = uniform_index(rng, values.size());
    } else {
      s.feasible.clear();
      for (std::size_t v = 0; v < values.size(); ++v) {
        s.cur[p] = values[v];
        if (core.level_ok(plan, level, s.cur)) s.feasible.push_back(v);
      }
      if (s.feasible.empty()) return 0;
      weight *= static_cast<double>(s.feasible.size());
      chosen = s.feasible[uniform_index(rng, s.feasible.size())];
    }
    s.cur[p] = values[chosen];
    s.idx[p] = chosen;
  }
  return weight;
}

}  // namespace detail

Config Space::random_valid(std::mt19937_64& rng) const {
  return random_valid(rng, SamplingMethod::Auto);
}

Config Space::random_valid(std::mt19937_64& rng, SamplingMethod method) const {
  if (!core_) return Config();
  const detail::SpaceCore& core = *core_;
  // A restricted space always has its list: every method draws from it, exactly uniformly.
  if (core.restricted) return detail::draw_enumerated(core, detail::valid_list(core), rng);
  switch (method) {
    case SamplingMethod::Auto: {
      const detail::ValidList& list = detail::valid_list(core);
      if (list.available) return detail::draw_enumerated(core, list, rng);
      return detail::draw_probe(core, rng);
    }
    case SamplingMethod::Enumerated: {
      const detail::ValidList& list = detail::valid_list(core);
      if (!list.available)
        throw UserError(fmt::format("the space ({} grid points) is too large to enumerate and "
                                    "cache; sample it with SamplingMethod::Probe",
                                    grid_size()));
      return detail::draw_enumerated(core, list, rng);
    }
    case SamplingMethod::Probe: return detail::draw_probe(core, rng);
    case SamplingMethod::Backtrack: return detail::draw_backtrack(core, rng);
  }
  TUNA_ASSERT(false, "unknown sampling method");
}

}  // namespace tuna
