#pragma once
// Strategies by name (the list is strategies.def): model-free ask/tell strategies
// (tuna::make_strategy, tuna/strategy.hpp) and searches that drive their own rounds with an LLM
// (llm, hybrid). make_search builds either as a Search (tuna/search.hpp), which is what a run
// executes.
#include <memory>
#include <optional>
#include <string>

#include "llm/transport.hpp"
#include "search/ask_tell_search.hpp"
#include "search/llm_guided.hpp"
#include "tuna/search.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

// "llm" and "hybrid": strategies that need an LLM provider.
bool is_guided_strategy(const std::string& name);
// Throws UserError unless `name` is a model-free strategy (or "auto"), listing those.
void require_model_free(const std::string& name);
// `auto` means the hybrid when an LLM provider is configured, else the best model-free
// strategy (which make_strategy picks for "auto"). Other names are returned unchanged.
std::string resolve_strategy_name(const std::string& name, bool llm_configured);

struct GuidedSearchSettings {
  LlmGuidedOptions llm;
  // Whether the user set the rounds (or the effort), the configs per round, the random seeds
  // and the challenge round; the hybrid keeps its own round-0 size, seeds and challenge round
  // otherwise (hybrid_llm_defaults).
  bool rounds_explicit = false;
  bool configs_explicit = false;
  bool initial_random_explicit = false;
  bool challenge_round_explicit = false;
  // The hybrid's turn sizes (HybridOptions) when the user set them.
  std::optional<std::size_t> hybrid_turn, hybrid_llm_configs;
  std::optional<double> hybrid_explore;
  std::optional<std::size_t> hybrid_random, hybrid_relink;
  std::optional<bool> hybrid_random_thresholds;
  llm::ProviderSettings provider;
};

// A model-free strategy as a Search. Throws UserError for an unknown name, and for an LLM
// strategy (which needs make_guided_search) with a message that says so.
std::shared_ptr<Search> make_search(const StrategyOptions& strategy,
                                    const AskTellSearchOptions& options = {});

// Builds the provider's client and the search. Throws UserError for an unknown name, settings
// that cannot work, or a fallback that is not a model-free strategy.
std::shared_ptr<Search> make_guided_search(const std::string& name,
                                           const GuidedSearchSettings& settings);
// The same with a client already made (tests, embedding applications).
std::shared_ptr<Search> make_guided_search(const std::string& name,
                                           const GuidedSearchSettings& settings,
                                           std::shared_ptr<llm::LlmClient> client);

}  // namespace tuna::search
