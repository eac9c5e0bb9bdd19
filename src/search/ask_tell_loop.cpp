#include "search/ask_tell_loop.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tuna::search {

AskTellStretch ask_tell_stretch(SearchServices& services, Strategy& strategy, std::size_t limit,
                                const std::function<void(const std::vector<Result>&)>& observe) {
  AskTellStretch out;
  while (services.budget_left() && (limit == 0 || out.measured.size() < limit)) {
    std::size_t n = services.batch_size();
    if (limit > 0) n = std::min(n, limit - out.measured.size());
    std::vector<Config> batch = strategy.propose(std::max<std::size_t>(n, 1));
    if (batch.empty()) {
      out.stopped = fmt::format("{} has nothing more to propose (space exhausted)", strategy.name());
      break;
    }
    std::vector<Result> results = services.evaluate(batch);
    // Nothing measured although the budget is left: every proposal was already considered in
    // this run. Asking again would loop forever, so stop.
    if (results.empty() && services.budget_left()) {
      out.stopped = fmt::format("{} proposed only configs already considered", strategy.name());
      break;
    }
    if (!results.empty()) observe(results);
    out.measured.insert(out.measured.end(), results.begin(), results.end());
  }
  return out;
}

std::string continue_with_strategy(SearchServices& services, Strategy& strategy,
                                   const std::vector<Result>& so_far) {
  if (!so_far.empty()) strategy.observe(so_far);
  AskTellStretch stretch = ask_tell_stretch(
      services, strategy, 0, [&](const std::vector<Result>& r) { strategy.observe(r); });
  return stretch.stopped.empty() ? kBudgetSpent : stretch.stopped;
}

}  // namespace tuna::search
