#include "search/ask_tell_search.hpp"

#include <nlohmann/json.hpp>

#include "search/ask_tell_loop.hpp"
#include "search/registry.hpp"

namespace tuna::search {

AskTellSearch::AskTellSearch(StrategyOptions strategy, AskTellSearchOptions options)
    : strategy_(std::move(strategy)), options_(options) {
  require_model_free(strategy_.name);
}

std::string AskTellSearch::options_json() const {
  return nlohmann::json{{"strategy", strategy_.name},
                        {"seed", strategy_.seed},
                        {"default_first", options_.default_first},
                        {"lookahead", options_.lookahead}}
      .dump();
}

std::string AskTellSearch::run(SearchServices& services) {
  std::unique_ptr<Strategy> strategy = make_strategy(strategy_, services.space());
  AskTellLoopOptions loop;
  loop.lookahead = options_.lookahead;
  // The baseline every run has; the strategy sees its result like any other.
  if (options_.default_first) loop.first_batch = {services.space().default_config()};
  AskTellStretch stretch = run_ask_tell(services, *strategy, loop);
  return stretch.stopped.empty() ? kBudgetSpent : stretch.stopped;
}

}  // namespace tuna::search
