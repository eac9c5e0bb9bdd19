#include "search/surrogate_relink.hpp"

#include <cmath>
#include <unordered_set>

namespace tuna::search {
namespace {

// The fastest correct entry whose parameter `p` has value `v`, or nullptr.
const History::Entry* family_best(const History& history, std::size_t p, const Value& v) {
  const History::Entry* best = nullptr;
  for (const History::Entry& e : history.entries())
    if (e.ok && e.config[p] == v && (!best || e.log_time < best->log_time)) best = &e;
  return best;
}

}  // namespace

std::vector<Config> relink_moves(const Space& space, const History& history,
                                 const RelinkOptions& options) {
  std::vector<Config> out;
  if (!history.any_ok()) return out;
  const History::Entry& best = history.entries()[history.best(1).front()];
  const double max_log_gap = std::log(options.max_ratio);
  std::unordered_set<std::string> keys;
  const auto& params = space.params();
  for (std::size_t p = 0; p < params.size(); ++p) {
    if (params[p].values.size() < 2 || params[p].values.size() > options.max_values) continue;
    for (const Value& v : params[p].values) {
      if (v == best.config[p]) continue;
      const History::Entry* family = family_best(history, p, v);
      if (!family || family->log_time - best.log_time > max_log_gap) continue;
      for (std::size_t q = 0; q < params.size(); ++q) {
        if (q == p || family->config[q] == best.config[q]) continue;
        Config moved = family->config;
        moved[q] = best.config[q];
        if (!space.is_valid(moved)) continue;
        std::string key = space.key(moved);
        if (history.claimed(key) || !keys.insert(key).second) continue;
        out.push_back(std::move(moved));
      }
    }
  }
  return out;
}

}  // namespace tuna::search
