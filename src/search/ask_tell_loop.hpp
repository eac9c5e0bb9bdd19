#pragma once
// Continues a guided search's run with a model-free ask/tell strategy: the LLM search's fallback
// when the provider fails, and the hybrid's model-free turns. The strategy first observes every
// result measured so far (failures included), so it neither repeats them nor ignores them.
#include <functional>
#include <string>
#include <vector>

#include "search/search_services.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

// What one stretch of propose -> evaluate -> observe measured, and why it stopped early: empty
// when it reached its limit or the budget ran out, else the strategy could not go on.
struct AskTellStretch {
  std::vector<Result> measured;
  std::string stopped;
};

// Propose -> evaluate -> observe for at most `limit` evaluations (0: until the budget is spent or
// the strategy stops). `observe` hands each batch's results to the strategy (the hybrid also
// notes which results its strategy has seen).
AskTellStretch ask_tell_stretch(SearchServices& services, Strategy& strategy, std::size_t limit,
                                const std::function<void(const std::vector<Result>&)>& observe);

// Observes `so_far`, then runs the strategy until the budget is spent or it has nothing more
// to propose. Returns why it stopped.
std::string continue_with_strategy(SearchServices& services, Strategy& strategy,
                                   const std::vector<Result>& so_far);

}  // namespace tuna::search
