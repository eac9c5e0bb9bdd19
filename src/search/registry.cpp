// The strategies tuna knows, by name. `auto` picks the best model-free strategy available
// (measured with `tuna compare`, see bench/results/); today that is random search, until the
// model-based strategies land.
#include <fmt/format.h>

#include "search/exhaustive.hpp"
#include "search/random_search.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna {

std::vector<std::pair<std::string, std::string>> strategy_names() {
  return {
      {"auto", "the best strategy available (today: random)"},
      {"random", "valid configs drawn uniformly at random, without replacement"},
      {"exhaustive", "every valid config, in enumeration order"},
  };
}

std::unique_ptr<Strategy> make_strategy(const StrategyOptions& options, const Space& space) {
  if (options.name == "random" || options.name == "auto") {
    return std::make_unique<search::RandomSearch>(space,
                                                  search::RandomSearchOptions{options.seed});
  }
  if (options.name == "exhaustive") return std::make_unique<search::ExhaustiveStrategy>(space);
  std::string known;
  for (const auto& [name, _] : strategy_names()) known += (known.empty() ? "" : ", ") + name;
  throw UserError(fmt::format("unknown strategy '{}'; known strategies: {}", options.name, known));
}

}  // namespace tuna
