#pragma once
// A model-free strategy as a Search: the strategy is made once the run knows its space, then
// runs the ask/tell loop (ask_tell_loop.hpp) to the end of the budget.
#include <cstdint>
#include <string>

#include "tuna/search.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct AskTellSearchOptions {
  // Measure the default config before the strategy's first batch (a tuning run does, so that
  // every run has the baseline; `tuna compare` counts only what the strategy proposes).
  bool default_first = true;
  // Ask the strategy for more while a batch is measured, when it can (TuneOptions::lookahead).
  bool lookahead = true;
};

class AskTellSearch final : public Search {
 public:
  // Throws UserError for a name that is not a model-free strategy.
  AskTellSearch(StrategyOptions strategy, AskTellSearchOptions options = {});

  std::string name() const override { return strategy_.name; }
  std::string options_json() const override;
  std::string run(SearchServices& services) override;

 private:
  StrategyOptions strategy_;
  AskTellSearchOptions options_;
};

}  // namespace tuna::search
