#pragma once
// The factory of every strategy in strategies.def, declared from that list so that each
// strategy's file defines its factory with the signature the registry calls.
#include <cstdint>
#include <memory>

#include "search/prior_first.hpp"  // with_prior_first, for the factories
#include "search/registry.hpp"
#include "tuna/search.hpp"
#include "tuna/space.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

#define TUNA_MODEL_FREE(name, help) \
  std::unique_ptr<Strategy> make_##name##_strategy(const Space& space,        \
                                                    const StrategyOptions& options);
#define TUNA_GUIDED(name, help)                                                  \
  std::shared_ptr<Search> make_##name##_search(const GuidedSearchSettings& settings, \
                                               std::shared_ptr<llm::LlmClient> client);
#include "search/strategies.def"
#undef TUNA_MODEL_FREE
#undef TUNA_GUIDED

}  // namespace tuna::search
