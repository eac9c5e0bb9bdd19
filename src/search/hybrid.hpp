#pragma once
// The hybrid (`--strategy hybrid`): the LLM and a model-free search take turns within one
// budget, each seeing everything the other measured.
//   round 0     the LLM's first request is in flight while the default and random seeds are
//               measured; its proposals are measured after (as in the LLM-guided search);
//   then        a model-free share (the surrogate by default: a model trained on every result,
//               the LLM's included, ranks candidates across the whole space), then an LLM round
//               whose prompt shows every result, says what the model-free search found since the
//               last round and which parameter values were never measured, and so on;
//   the LLM     stops being asked after its rounds are spent, when a round brings nothing new,
//               or after two turns that improve the best by less than the stagnation threshold;
//               the model-free search then has the rest of the budget;
//   meanwhile   under a time budget, the model-free search's proposals are measured while each
//               request is in flight (LlmGuidedOptions::fill_while_waiting).
// Why: the LLM's priors are often right and sometimes wrong (DESIGN.md §3); a global model-free
// search catches what it misses, and the LLM, shown where that search went, can correct it
// in turn. docs/llm.md ("The hybrid") gives the measurements behind the defaults.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "search/llm_guided.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct HybridOptions {
  // The LLM's settings; max_rounds counts its calls, round 0 included.
  LlmGuidedOptions llm = hybrid_llm_defaults();
  std::string second_stage = "auto";  // the model-free search (make_strategy name)
  // Evaluations the model-free search makes between two LLM rounds.
  std::size_t model_free_share = 4;
  // Configs asked of the LLM in each round after round 0 (round 0 asks configs_per_round).
  std::size_t llm_round_configs = 5;
  // The surrogate's exploration weight (SurrogateOptions::exploration) when the model-free
  // search is the surrogate: the LLM already exploits, so its partner may explore more.
  double model_free_exploration = 1.0;
  // Random configs the surrogate measures after the LLM's round 0, before its model ranks
  // candidates: its own spread over the space, which the LLM's first (clustered) configs
  // otherwise replace in its initial design.
  std::size_t model_free_random = 0;
  // Every this many of the surrogate's proposals (0: never), a relink move
  // (SurrogateOptions::relink_every): another family's best config moved one parameter toward
  // the best config, the move that the LLM's clustered rounds and the surrogate's neighbours
  // both miss when a family trails only for its other settings.
  std::size_t model_free_relink = 0;
  // The surrogate's trees put each split's threshold at a random point between the two values
  // it separates (ForestOptions::random_thresholds), so that a parameter value the LLM's
  // clustered rounds never measured is uncertain to the model instead of lumped with one
  // neighbour.
  bool model_free_random_thresholds = false;
  // Builds the model-free search instead of make_strategy(second_stage) when set (tests, and
  // strategies configured beyond a name).
  std::function<std::unique_ptr<Strategy>(const Space&, std::uint64_t seed)> make_second_stage;

  void validate() const;  // throws UserError naming the bad setting
};

class HybridSearch : public Search {
 public:
  HybridSearch(HybridOptions options, std::shared_ptr<llm::LlmClient> client,
               std::string provider_json = "{}");
  std::string name() const override { return "hybrid"; }
  std::string options_json() const override;
  std::string run(SearchServices& services) override;

 private:
  std::unique_ptr<Strategy> make_model_free(const SearchServices& services) const;
  HybridOptions options_;
  std::shared_ptr<llm::LlmClient> client_;
  LlmGuidedSearch llm_options_view_;  // for options_json: the LLM's settings as the llm search writes them
};

}  // namespace tuna::search
