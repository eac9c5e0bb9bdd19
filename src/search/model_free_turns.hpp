#pragma once
// One model-free strategy serving an LLM search for a whole run: the hybrid's turns between LLM
// rounds, and the configs the devices measure while an LLM request is in flight. The strategy is
// shown every result once (its own, the LLM's, the seeds'), whoever measured it, so its model
// always learns from everything measured and it never proposes what is measured already.
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "search/ask_tell_loop.hpp"
#include "tuna/search.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

class ModelFreeTurns {
 public:
  ModelFreeTurns(std::unique_ptr<Strategy> strategy, SearchServices& services)
      : strategy_(std::move(strategy)), services_(services) {}

  std::string name() const { return strategy_->name(); }

  // Shows the strategy the results it has not seen yet.
  void observe_new(const std::vector<Result>& results);
  // Up to `n` configs to measure now (the strategy's proposals).
  std::vector<Config> propose(std::size_t n) { return strategy_->propose(n); }
  // Up to `share` evaluations through the ask/tell loop (all the budget when 0, with lookahead).
  AskTellStretch take_turn(std::size_t share);

 private:
  std::unique_ptr<Strategy> strategy_;
  SearchServices& services_;
  std::unordered_set<std::string> observed_;
};

}  // namespace tuna::search
