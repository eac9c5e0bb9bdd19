#pragma once
// The LLM-guided search, a port of the seed's state machine (../shared/seed/llm_search.py.txt):
//   round 0   the first request goes out on its own thread, then the default and a few random
//             seeds are measured while it is in flight; its proposals are measured after.
//   round r   refinement prompt from the latest results, request, measure the new configs.
//   meanwhile while a request is in flight the devices may measure a model-free search's
//             proposals (LlmGuidedOptions::fill_while_waiting); the next prompt shows them too.
//   each round ends by re-timing the top of the population, so the next prompt and the stop
//   rules see stabilised timings; the search stops after `max_stagnant_rounds` rounds that
//   improve the best by less than `min_improvement`, or when a round brings nothing new.
// A provider failure aborts the run (UserError) unless a fallback strategy is named, which then
// continues the run without the LLM.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "llm/transport.hpp"
#include "tuna/search.hpp"

namespace tuna::search {

enum class LlmEffort { Quick, Full };

struct LlmGuidedOptions {
  int configs_per_round = 15;
  int max_rounds = 4;                // LLM calls in all, round 0 included
  int initial_random_configs = 10;   // seeds besides the default
  // Of those seeds, how many are the priors' leaders (PriorLeaders: the fastest elsewhere, then
  // the fastest of other switch settings) when the run has priors; the rest stay random. The
  // surrogate measures the same leaders first (docs/priors.md).
  int prior_seed_leaders = 3;
  double min_improvement = 0.005;    // relative; a round under it is stagnant
  int max_stagnant_rounds = 2;
  int context_rounds = 3;            // exchanges kept after the system and first prompt
  double compile_timeout_cap_s = 15; // while the search explores; 0: no cap
  double request_timeout_s = 120;
  double rebenchmark_threshold = 1.5; // re-time population members within this factor of best
  int population = 0;                // configs kept for re-timing; 0: 2 * configs_per_round
  int max_output_tokens = 0;         // 0: max(512, min(4096, 256 + 128 * configs_per_round))
  bool structured_output = true;     // ask for the reply's JSON schema where supported
  std::string fallback_strategy;     // model-free strategy after a provider failure; empty: abort
  // While a request is in flight (seconds to minutes), the devices measure what a model-free
  // search proposes (the surrogate; the hybrid's own), and the next prompt shows those results
  // too. Off: the devices wait for the model, as the seed does. On in llm_guided_defaults and
  // hybrid_llm_defaults, which is what `tuna tune` uses (--llm-no-fill turns it off).
  bool fill_while_waiting = false;
  // The round (1 or later) that is a challenge round: the model is asked to tune the least
  // explored family close enough to the best (llm/feedback_challenger.hpp says how close)
  // instead of refining the anchors, when there is one. 0: no challenge round.
  int challenge_round = 0;

  int population_size() const;
  int output_tokens() const;
  // Throws UserError naming the bad setting.
  void validate() const;
};

// quick: one round (round 0 only); full: the defaults.
LlmGuidedOptions llm_guided_defaults(LlmEffort effort);
// The hybrid's LLM: 4 calls, 12 configs and 4 random seeds in round 0 (its later rounds ask
// fewer, HybridOptions), round 2 a challenge round.
LlmGuidedOptions hybrid_llm_defaults();
LlmEffort parse_llm_effort(const std::string& text);  // throws UserError

class LlmGuidedSearch : public Search {
 public:
  // `provider_json` describes the provider for the run's log (never the key).
  LlmGuidedSearch(LlmGuidedOptions options, std::shared_ptr<llm::LlmClient> client,
                  std::string provider_json = "{}");
  std::string name() const override { return "llm"; }
  std::string options_json() const override;
  std::string run(SearchServices& services) override;

  // After run(): one result per config measured, with the latest timing (re-timed where
  // re-timed), failures included, in the order first measured. The hybrid feeds these on.
  const std::vector<Result>& results() const { return results_; }
  // True when the provider failed and the fallback strategy finished the run.
  bool fell_back() const { return fell_back_; }

 private:
  LlmGuidedOptions options_;
  std::shared_ptr<llm::LlmClient> client_;
  std::string provider_json_;
  std::vector<Result> results_;
  bool fell_back_ = false;
};

}  // namespace tuna::search
