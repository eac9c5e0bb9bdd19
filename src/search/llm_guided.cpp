#include "search/llm_guided.hpp"

#include "search/strategy_factories.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "search/llm_session.hpp"
#include "search/model_free_turns.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

int LlmGuidedOptions::population_size() const {
  return population > 0 ? population : 2 * configs_per_round;
}

int LlmGuidedOptions::output_tokens() const {
  if (max_output_tokens > 0) return max_output_tokens;
  return std::max(512, std::min(4096, 256 + 128 * configs_per_round));
}

void LlmGuidedOptions::validate() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw UserError(what);
  };
  require(configs_per_round >= 1, "--llm-configs-per-round must be at least 1");
  require(max_rounds >= 1, "--llm-rounds must be at least 1 (round 0 is the first LLM call)");
  require(initial_random_configs >= 0, "--llm-initial-random must not be negative");
  require(prior_seed_leaders >= 0, "--llm-prior-seeds must not be negative");
  require(context_rounds >= 0, "the LLM context must keep zero or more rounds");
  require(compile_timeout_cap_s >= 0, "--llm-compile-timeout must not be negative (0: no cap)");
  require(request_timeout_s > 0, "--llm-timeout must be positive");
  require(max_stagnant_rounds >= 1, "the LLM search's stagnant-round limit must be at least 1");
  require(rebenchmark_threshold >= 1, "the LLM search's re-timing threshold must be at least 1");
  require(challenge_round >= 0,
          "--llm-challenge-round must be 0 (none) or the number of a round after round 0");
}

LlmGuidedOptions llm_guided_defaults(LlmEffort effort) {
  LlmGuidedOptions o;
  if (effort == LlmEffort::Quick) o.max_rounds = 1;
  o.fill_while_waiting = true;
  return o;
}

LlmGuidedOptions hybrid_llm_defaults() {
  LlmGuidedOptions o;
  o.fill_while_waiting = true;
  o.configs_per_round = 12;
  // Random seeds are the least informed evaluations; in the hybrid the surrogate's turns explore
  // instead, so round 0 keeps only a few (bench/results/llm.md compares 10 and 4).
  o.initial_random_configs = 4;
  // Round 2 of 1..3 asks the model to tune the least explored family close to the best
  // (llm/feedback_challenger.hpp): over six seeds of the LLM panel the hybrid scored 0.954 at 50
  // evaluations with it against 0.941 without (bench/results/llm.md, `challenge`; the rule of
  // today, `challenge_few` and its paired continuations).
  o.challenge_round = 2;
  return o;
}

LlmEffort parse_llm_effort(const std::string& text) {
  if (text == "quick") return LlmEffort::Quick;
  if (text == "full") return LlmEffort::Full;
  throw UserError(fmt::format("unknown LLM effort '{}'; use quick (one round) or full (the "
                              "defaults: 4 rounds)",
                              text));
}

LlmGuidedSearch::LlmGuidedSearch(LlmGuidedOptions options, std::shared_ptr<llm::LlmClient> client,
                                 std::string provider_json)
    : options_(std::move(options)), client_(std::move(client)),
      provider_json_(std::move(provider_json)) {
  TUNA_ASSERT(client_ != nullptr, "the LLM-guided search needs a client");
  options_.validate();
}

std::string LlmGuidedSearch::options_json() const {
  nlohmann::json j = {{"configs_per_round", options_.configs_per_round},
                      {"max_rounds", options_.max_rounds},
                      {"initial_random_configs", options_.initial_random_configs},
                      {"prior_seed_leaders", options_.prior_seed_leaders},
                      {"min_improvement", options_.min_improvement},
                      {"max_stagnant_rounds", options_.max_stagnant_rounds},
                      {"context_rounds", options_.context_rounds},
                      {"compile_timeout_cap_s", options_.compile_timeout_cap_s},
                      {"request_timeout_s", options_.request_timeout_s},
                      {"rebenchmark_threshold", options_.rebenchmark_threshold},
                      {"population", options_.population_size()},
                      {"max_output_tokens", options_.output_tokens()},
                      {"structured_output", options_.structured_output},
                      {"fallback", options_.fallback_strategy},
                      {"fill_while_waiting", options_.fill_while_waiting},
                      {"challenge_round", options_.challenge_round},
                      {"provider", client_->provider()},
                      {"model", client_->model()}};
  nlohmann::json provider = nlohmann::json::parse(provider_json_, nullptr, false);
  if (provider.is_object() && !provider.empty()) j["provider_settings"] = provider;
  return j.dump();
}

std::string LlmGuidedSearch::run(SearchServices& services) {
  LlmSession session(options_, client_, services);
  // What the devices measure while the model thinks: the surrogate (`auto`), the best of the
  // model-free searches on the recorded spaces (docs/strategies.md).
  std::optional<ModelFreeTurns> filler;
  if (options_.fill_while_waiting) {
    filler.emplace(make_strategy({"auto", services.seed(), services.priors()}, services.space()),
                   services);
    session.fill_with(&*filler);
  }
  // The cap lasts only while this search explores; the stats line closes every run, failed or
  // not, like the seed's `finally`.
  struct Closing {
    LlmSession& session;
    SearchServices& services;
    ~Closing() {
      services.restore_compile_timeout();
      try {
        session.log_stats();
      } catch (...) {
      }
    }
  } closing{session, services};
  fell_back_ = false;
  std::string why;
  try {
    why = session.run();
  } catch (...) {
    results_ = std::move(session.results());
    throw;
  }
  results_ = std::move(session.results());
  fell_back_ = session.fell_back();
  return why;
}

std::shared_ptr<Search> make_llm_search(const GuidedSearchSettings& settings,
                                        std::shared_ptr<llm::LlmClient> client) {
  return std::make_shared<LlmGuidedSearch>(settings.llm, std::move(client),
                                           settings.provider.redacted());
}

}  // namespace tuna::search
