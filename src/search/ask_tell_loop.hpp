#pragma once
// The one propose -> evaluate -> observe loop of tuna. Every ask/tell Strategy runs through it:
// on its own (AskTellSearch, in a tuning run or in `tuna compare`), as the LLM search's fallback
// when the provider fails, and in the hybrid's model-free turns.
#include <functional>
#include <string>
#include <vector>

#include "tuna/search.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

// What one stretch of the loop measured, and why it stopped early: empty when it reached its
// limit or the budget ran out, else the strategy could not go on.
struct AskTellStretch {
  std::vector<Result> measured;
  std::string stopped;
};

struct AskTellLoopOptions {
  // At most this many evaluations (0: until the budget is spent or the strategy stops).
  std::size_t limit = 0;
  // Ask the strategy for more while a batch's last configs are still measured, when it can
  // propose with results pending (Strategy::proposes_while_measuring). Needs limit == 0.
  bool lookahead = false;
  // Hands results to the strategy, in the order they were recorded (default:
  // Strategy::observe). The hybrid also notes which results its strategy has seen.
  std::function<void(const std::vector<Result>&)> observe;
  // Configs measured as the loop's first batch, before the strategy proposes anything (a tuning
  // run's default config). With lookahead the strategy's first proposals join that batch while
  // it compiles and runs, instead of waiting for its result, so the compile pool and the device
  // start at once; without lookahead the batch is measured alone first.
  std::vector<Config> first_batch;
};

AskTellStretch run_ask_tell(SearchServices& services, Strategy& strategy,
                            const AskTellLoopOptions& options);

// Observes `so_far`, then runs the strategy until the budget is spent or it has nothing more
// to propose. Returns why it stopped (kBudgetSpent when the budget ran out).
std::string continue_with_strategy(SearchServices& services, Strategy& strategy,
                                   const std::vector<Result>& so_far);

}  // namespace tuna::search
