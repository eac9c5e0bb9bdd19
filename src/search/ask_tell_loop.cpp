#include "search/ask_tell_loop.hpp"

#include <fmt/format.h>

namespace tuna::search {

std::string continue_with_strategy(SearchServices& services, Strategy& strategy,
                                   const std::vector<Result>& so_far) {
  if (!so_far.empty()) strategy.observe(so_far);
  while (services.budget_left()) {
    std::vector<Config> batch = strategy.propose(services.batch_size());
    if (batch.empty()) {
      return fmt::format("{} has nothing more to propose (space exhausted)", strategy.name());
    }
    std::vector<Result> results = services.evaluate(batch);
    // Nothing measured although the budget is left: every proposal was already considered in
    // this run. Asking again would loop forever, so stop.
    if (results.empty() && services.budget_left()) {
      return fmt::format("{} proposed only configs already considered", strategy.name());
    }
    if (!results.empty()) strategy.observe(results);
  }
  return kBudgetSpent;
}

}  // namespace tuna::search
