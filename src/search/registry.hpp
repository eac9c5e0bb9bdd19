#pragma once
// Strategies that drive their own rounds (GuidedSearch): the LLM-guided search and the hybrid.
// Ask/tell strategies are made by tuna::make_strategy (tuna/strategy.hpp).
#include <memory>
#include <optional>
#include <string>

#include "llm/transport.hpp"
#include "search/llm_guided.hpp"
#include "search/search_services.hpp"

namespace tuna::search {

// "llm" and "hybrid".
bool is_guided_strategy(const std::string& name);
// `auto` means the hybrid when an LLM provider is configured, else the best model-free
// strategy (which make_strategy picks for "auto"). Other names are returned unchanged.
std::string resolve_strategy_name(const std::string& name, bool llm_configured);

struct GuidedSearchSettings {
  LlmGuidedOptions llm;
  // Whether the user set the rounds (or the effort), the configs per round and the random
  // seeds; the hybrid keeps its own round-0 size and seeds otherwise (hybrid_llm_defaults).
  bool rounds_explicit = false;
  bool configs_explicit = false;
  bool initial_random_explicit = false;
  // The hybrid's turn sizes (HybridOptions) when the user set them.
  std::optional<std::size_t> hybrid_turn, hybrid_llm_configs;
  std::optional<double> hybrid_explore;
  llm::ProviderSettings provider;
};

// Builds the provider's client and the search. Throws UserError for an unknown name, settings
// that cannot work, or a fallback that is not a model-free strategy.
std::shared_ptr<GuidedSearch> make_guided_search(const std::string& name,
                                                 const GuidedSearchSettings& settings);
// The same with a client already made (tests, embedding applications).
std::shared_ptr<GuidedSearch> make_guided_search(const std::string& name,
                                                 const GuidedSearchSettings& settings,
                                                 std::shared_ptr<llm::LlmClient> client);

}  // namespace tuna::search
