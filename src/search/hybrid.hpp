#pragma once
// The hybrid (`--strategy hybrid`): one quick LLM round (the default, the random seeds and the
// LLM's first proposals), then every result so far, failures included, is handed to the best
// model-free strategy, which searches on for the rest of the budget. The LLM's priors are often
// right and sometimes wrong (DESIGN.md §3): a systematic search seeded with what it measured
// catches what it missed.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "search/llm_guided.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct HybridOptions {
  LlmGuidedOptions llm = llm_guided_defaults(LlmEffort::Quick);
  std::string second_stage = "auto";  // a model-free strategy name (make_strategy)
  // Builds the second stage instead of make_strategy(second_stage) when set (tests, and
  // strategies configured beyond a name).
  std::function<std::unique_ptr<Strategy>(const Space&, std::uint64_t seed)> make_second_stage;
};

class HybridSearch : public GuidedSearch {
 public:
  HybridSearch(HybridOptions options, std::shared_ptr<llm::LlmClient> client,
               std::string provider_json = "{}");
  std::string name() const override { return "hybrid"; }
  std::string options_json() const override;
  std::string run(SearchServices& services) override;

 private:
  HybridOptions options_;
  LlmGuidedSearch llm_stage_;
};

}  // namespace tuna::search
