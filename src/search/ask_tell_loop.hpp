#pragma once
// Continues a guided search's run with a model-free ask/tell strategy: the LLM search's fallback
// when the provider fails, and the hybrid's second stage. The strategy first observes every
// result measured so far (failures included), so it neither repeats them nor ignores them.
#include <string>
#include <vector>

#include "search/search_services.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

// Runs propose -> evaluate -> observe until the budget is spent or the strategy has nothing
// more to propose. Returns why it stopped.
std::string continue_with_strategy(SearchServices& services, Strategy& strategy,
                                   const std::vector<Result>& so_far);

}  // namespace tuna::search
