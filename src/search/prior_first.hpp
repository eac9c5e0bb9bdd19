#pragma once
// Any ask/tell strategy led by the run's priors: their leaders (PriorLeaders, below) are
// proposed first, then the wrapped strategy takes over, having observed them like any other
// result. What a prior that misleads costs is those few evaluations, which are then no worse
// than random picks (docs/priors.md).
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "tuna/prior.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

// The fastest configs of the priors, taken in turn from each (the fastest of the first, of the
// second, ..., then the next of each), skipping configs already claimed. After a prior's
// fastest, each of its next leaders is its fastest config whose switches (the parameters of
// two values) are set unlike every leader it gave before, while there is one: a prior whose
// top is one family of switches, wrong on this device, then still leads into other families.
class PriorLeaders {
 public:
  PriorLeaders(const Space& space, const std::vector<std::shared_ptr<const Prior>>& priors);
  // The next leader whose key is not `claimed`, or nothing once every prior is exhausted.
  std::optional<PriorEntry> next(const std::function<bool(const std::string&)>& claimed);

 private:
  const Space& space_;
  std::vector<std::shared_ptr<const Prior>> priors_;
  std::size_t turn_ = 0;               // which prior gives the next leader
  std::vector<std::size_t> position_;  // per prior, the next entry of ranked() to look at
  const bool has_switches_;
  // Per prior, the switch settings (Space::switch_settings) of the leaders it gave.
  std::vector<std::vector<std::vector<Value>>> given_;
  std::optional<PriorEntry> next_of(std::size_t prior,
                                    const std::function<bool(const std::string&)>& claimed);
};

// `leaders` configs from the priors first (none without a prior), then `inner`.
std::unique_ptr<Strategy> with_prior_first(const Space& space, const StrategyOptions& options,
                                           std::unique_ptr<Strategy> inner,
                                           std::size_t leaders = 3);

}  // namespace tuna::search
