// Enumeration with pruning, the cached list of valid configs, and size().
#include <algorithm>
#include <limits>

#include "core/space_core.hpp"
#include "tuna/errors.hpp"

namespace tuna {

namespace detail {

namespace {

// Probes for the size estimate of a space too large to count: the estimator is unbiased;
// this many probes keep its relative error to a few percent on the spaces we have seen.
constexpr int kSizeProbes = 20000;
constexpr std::uint64_t kSizeSeed = 0x7475'6e61'7369'7a65;  // fixed: size() is deterministic

}  // namespace

bool walk(const SpaceCore& core, const WalkPlan& plan, std::uint64_t node_budget,
          const std::function<bool(const std::vector<Value>&, const std::vector<std::size_t>&)>&
              leaf) {
  const std::size_t n = core.params.size();
  std::vector<Value> cur(n);
  std::vector<std::size_t> idx(n, 0);
  for (std::size_t i = 0; i < n; ++i) cur[i] = core.params[i].default_value;
  if (!core.unconditional_ok()) return true;
  if (n == 0) {
    leaf(cur, idx);
    return true;
  }
  std::vector<std::size_t> next(n, 0);  // next value index to try, per level
  std::uint64_t nodes = 0;
  std::size_t level = 0;
  while (true) {
    const std::size_t p = plan.order[level];
    const auto& values = core.params[p].values;
    if (next[level] == values.size()) {
      next[level] = 0;
      if (level == 0) return true;
      --level;
      continue;
    }
    if (++nodes > node_budget) return false;
    const std::size_t v = next[level]++;
    cur[p] = values[v];
    idx[p] = v;
    if (!core.level_ok(plan, level, cur)) continue;
    if (level + 1 == n) {
      if (!core.allowed_indices(idx)) continue;
      if (!leaf(cur, idx)) return true;
      continue;
    }
    ++level;
  }
}

namespace {

// A restricted space's list is its allowed set, in lexicographic order of value indices (the
// order enumerate() promises), without walking the grid.
ValidList allowed_list(const SpaceCore& core) {
  ValidList list;
  list.width = core.params.size();
  std::vector<std::vector<std::uint16_t>> rows;
  rows.reserve(core.allowed.size());
  for (const std::string& packed : core.allowed) {
    std::vector<std::uint16_t> row(list.width);
    for (std::size_t i = 0; i < list.width; ++i)
      row[i] = static_cast<std::uint16_t>(static_cast<unsigned char>(packed[2 * i]) |
                                          (static_cast<unsigned char>(packed[2 * i + 1]) << 8));
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end());
  for (const auto& row : rows) list.rows.insert(list.rows.end(), row.begin(), row.end());
  list.count = rows.size();
  list.available = true;
  return list;
}

}  // namespace

const ValidList& valid_list(const SpaceCore& core) {
  std::call_once(core.valid_once, [&core] {
    if (core.restricted) {
      core.valid = allowed_list(core);
      return;
    }
    ValidList list;
    list.width = core.params.size();
    bool fits = std::all_of(core.params.begin(), core.params.end(), [](const Parameter& p) {
      return p.values.size() <= std::numeric_limits<std::uint16_t>::max();
    });
    if (!fits) {
      core.valid = std::move(list);
      return;
    }
    bool overflow = false;
    bool finished = walk(core, core.sampling, kCacheNodeBudget,
                         [&](const std::vector<Value>&, const std::vector<std::size_t>& idx) {
                           if (list.rows.size() + list.width > kCacheEntryBudget) {
                             overflow = true;
                             return false;
                           }
                           for (std::size_t i : idx) list.rows.push_back(static_cast<std::uint16_t>(i));
                           ++list.count;
                           return true;
                         });
    list.available = finished && !overflow;
    if (!list.available) {
      list.rows.clear();
      list.count = 0;
    }
    core.valid = std::move(list);
  });
  return core.valid;
}

}  // namespace detail

void Space::enumerate(const std::function<bool(const Config&)>& visit) const {
  if (!core_) return;
  if (core_->restricted) {
    const detail::ValidList& list = detail::valid_list(*core_);
    std::vector<std::size_t> idx(list.width);
    for (std::size_t r = 0; r < list.count; ++r) {
      for (std::size_t i = 0; i < list.width; ++i) idx[i] = list.rows[r * list.width + i];
      if (!visit(detail::config_from_indices(*core_, idx))) return;
    }
    return;
  }
  detail::walk(*core_, core_->declared, std::numeric_limits<std::uint64_t>::max(),
               [&](const std::vector<Value>& cur, const std::vector<std::size_t>&) {
                 return visit(Config(cur));
               });
}

std::vector<Config> Space::enumerate_all() const {
  std::vector<Config> out;
  enumerate([&](const Config& c) {
    out.push_back(c);
    return true;
  });
  return out;
}

SpaceSize Space::size() const {
  if (!core_) return SpaceSize{1, true};
  const detail::SpaceCore& core = *core_;
  std::call_once(core.size_once, [&core] {
    const detail::ValidList& list = detail::valid_list(core);
    if (list.available) {
      core.size = SpaceSize{static_cast<double>(list.count), true};
      return;
    }
    double count = 0;
    bool finished = detail::walk(core, core.sampling, detail::kCountNodeBudget,
                                 [&](const std::vector<Value>&, const std::vector<std::size_t>&) {
                                   count += 1;
                                   return true;
                                 });
    if (finished) {
      core.size = SpaceSize{count, true};
      return;
    }
    std::mt19937_64 rng(detail::kSizeSeed);
    detail::ProbeScratch scratch(core);
    double sum = 0;
    for (int i = 0; i < detail::kSizeProbes; ++i)
      sum += detail::probe(core, core.sampling, rng, scratch);
    core.size = SpaceSize{sum / detail::kSizeProbes, false};
  });
  return core.size;
}

}  // namespace tuna
