// repair() and neighbours(): moving a config through the space one step at a time.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "core/space_core.hpp"
#include "tuna/errors.hpp"

namespace tuna {

namespace detail {

namespace {

// Breadth-first repair stops widening after this many configs; beyond it the nearest valid
// config by encoded distance is a better answer than a long walk.
constexpr std::size_t kRepairVisitBudget = 20000;
constexpr int kRepairSamples = 256;

bool ordered_param(const Parameter& p) {
  return p.kind != ParamKind::Bool && p.values.front().is_number();
}

// Value indices one step away from `i`: the neighbours in sorted order for numbers, every
// other value for strings and bools (they have no order).
void step_moves(const Parameter& p, std::size_t i, std::vector<std::size_t>& out) {
  out.clear();
  if (ordered_param(p)) {
    if (i > 0) out.push_back(i - 1);
    if (i + 1 < p.values.size()) out.push_back(i + 1);
    return;
  }
  for (std::size_t j = 0; j < p.values.size(); ++j)
    if (j != i) out.push_back(j);
}

bool constraints_hold(const SpaceCore& core, const std::vector<Value>& values) {
  if (!core.unconditional_ok()) return false;
  for (const auto& b : core.bound)
    if (!b.test(values)) return false;
  return core.allowed_values(values);
}

std::vector<Value> values_of(const SpaceCore& core, const std::vector<std::size_t>& idx) {
  std::vector<Value> out(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i) out[i] = core.params[i].values[idx[i]];
  return out;
}

std::optional<std::vector<std::size_t>> repair_bfs(const SpaceCore& core,
                                                   const std::vector<std::size_t>& start) {
  std::set<std::vector<std::size_t>> visited{start};
  std::vector<std::vector<std::size_t>> frontier{start};
  std::vector<std::size_t> moves;
  while (!frontier.empty() && visited.size() < kRepairVisitBudget) {
    std::vector<std::vector<std::size_t>> next;
    std::optional<std::vector<std::size_t>> best;
    double best_distance = std::numeric_limits<double>::infinity();
    for (const auto& node : frontier) {
      for (std::size_t p = 0; p < node.size(); ++p) {
        step_moves(core.params[p], node[p], moves);
        for (std::size_t m : moves) {
          std::vector<std::size_t> nb = node;
          nb[p] = m;
          if (!visited.insert(nb).second) continue;
          if (constraints_hold(core, values_of(core, nb))) {
            double d = index_distance(core, nb, start);
            if (d < best_distance) {
              best_distance = d;
              best = nb;
            }
          }
          next.push_back(std::move(nb));
        }
      }
    }
    if (best) return best;
    frontier = std::move(next);
  }
  return std::nullopt;
}

std::optional<std::vector<std::size_t>> nearest_valid(const SpaceCore& core,
                                                      const std::vector<std::size_t>& start,
                                                      std::uint64_t seed) {
  std::optional<std::vector<std::size_t>> best;
  double best_distance = std::numeric_limits<double>::infinity();
  auto consider = [&](const std::vector<std::size_t>& idx) {
    double d = index_distance(core, idx, start);
    if (d < best_distance) {
      best_distance = d;
      best = idx;
    }
  };
  const ValidList& list = valid_list(core);
  if (list.available) {
    std::vector<std::size_t> idx(list.width);
    for (std::size_t r = 0; r < list.count; ++r) {
      for (std::size_t i = 0; i < list.width; ++i) idx[i] = list.rows[r * list.width + i];
      consider(idx);
    }
    return best;
  }
  std::mt19937_64 rng(seed);
  ProbeScratch scratch(core);
  int found = 0;
  for (int attempt = 0; attempt < kRepairSamples * 64 && found < kRepairSamples; ++attempt) {
    if (probe(core, core.sampling, rng, scratch) == 0) continue;
    ++found;
    consider(scratch.idx);
  }
  return best;
}

}  // namespace

}  // namespace detail

std::optional<Config> Space::repair(const Config& config) const {
  if (!core_) return Config();
  const detail::SpaceCore& core = *core_;
  TUNA_ASSERT(config.size() == core.params.size(), "config size does not match the space");
  if (!core.unconditional_ok()) return std::nullopt;
  std::vector<std::size_t> idx(config.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = detail::snap_index(core.params[i], config[i]);
  if (detail::constraints_hold(core, detail::values_of(core, idx)))
    return detail::config_from_indices(core, idx);
  if (auto found = detail::repair_bfs(core, idx)) return detail::config_from_indices(core, *found);
  // Deterministic: the same broken config always repairs to the same answer.
  std::uint64_t seed = std::hash<std::string>{}(key(detail::config_from_indices(core, idx)));
  if (auto found = detail::nearest_valid(core, idx, seed))
    return detail::config_from_indices(core, *found);
  return std::nullopt;
}

std::vector<Config> Space::neighbours(const Config& config, int radius) const {
  std::vector<Config> out;
  if (!core_ || radius <= 0) return out;
  const detail::SpaceCore& core = *core_;
  TUNA_ASSERT(config.size() == core.params.size(), "config size does not match the space");
  const std::size_t n = core.params.size();
  std::vector<std::size_t> base(n);
  for (std::size_t i = 0; i < n; ++i) base[i] = detail::snap_index(core.params[i], config[i]);
  std::vector<std::vector<std::size_t>> moves(n);
  for (std::size_t i = 0; i < n; ++i) detail::step_moves(core.params[i], base[i], moves[i]);
  std::vector<Value> cur = detail::values_of(core, base);

  // For each subset of `r` parameters (in increasing order), every combination of their moves.
  std::vector<std::size_t> chosen;
  std::function<void(std::size_t, std::size_t)> pick = [&](std::size_t from, std::size_t left) {
    if (left == 0) {
      if (detail::constraints_hold(core, cur)) out.emplace_back(cur);
      return;
    }
    for (std::size_t p = from; p + left <= n; ++p) {
      for (std::size_t m : moves[p]) {
        cur[p] = core.params[p].values[m];
        pick(p + 1, left - 1);
      }
      cur[p] = core.params[p].values[base[p]];
    }
  };
  for (std::size_t r = 1; r <= std::min<std::size_t>(static_cast<std::size_t>(radius), n); ++r)
    pick(0, r);
  return out;
}

}  // namespace tuna
