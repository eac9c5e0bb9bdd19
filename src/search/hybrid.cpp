#include "search/hybrid.hpp"

#include "search/strategy_factories.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <unordered_set>

#include "search/ask_tell_loop.hpp"
#include "search/hybrid_note.hpp"
#include "search/llm_session.hpp"
#include "search/model_free_turns.hpp"
#include "search/surrogate.hpp"
#include "tuna/errors.hpp"

namespace tuna::search {
namespace {

// Caps the compile timeout for the LLM's proposals only (they explore; the model-free search's
// proposals keep the user's timeout).
struct CappedCompileTimeout {
  CappedCompileTimeout(SearchServices& s, double cap) : services(s) {
    if (cap > 0) services.cap_compile_timeout(cap);
  }
  ~CappedCompileTimeout() { services.restore_compile_timeout(); }
  SearchServices& services;
};

}  // namespace

void HybridOptions::validate() const {
  llm.validate();
  if (model_free_share < 1)
    throw UserError("the hybrid's model-free share between LLM rounds must be at least 1");
  if (llm_round_configs < 1)
    throw UserError("the hybrid's configs per later LLM round must be at least 1");
  if (!(model_free_exploration >= 0))
    throw UserError("--hybrid-explore must be 0 or more (the surrogate's exploration weight)");
}

HybridSearch::HybridSearch(HybridOptions options, std::shared_ptr<llm::LlmClient> client,
                           std::string provider_json)
    : options_(std::move(options)), client_(client),
      llm_options_view_(options_.llm, std::move(client), std::move(provider_json)) {
  options_.validate();
}

std::string HybridSearch::options_json() const {
  nlohmann::json j = {{"llm", nlohmann::json::parse(llm_options_view_.options_json())},
                      {"model_free", options_.second_stage},
                      {"model_free_share", options_.model_free_share},
                      {"llm_round_configs", options_.llm_round_configs},
                      {"model_free_exploration", options_.model_free_exploration},
                      {"model_free_random", options_.model_free_random},
                      {"model_free_relink", options_.model_free_relink},
                      {"model_free_random_thresholds", options_.model_free_random_thresholds}};
  return j.dump();
}

std::unique_ptr<Strategy> HybridSearch::make_model_free(const SearchServices& services) const {
  if (options_.make_second_stage)
    return options_.make_second_stage(services.space(), services.seed());
  if (options_.second_stage == "auto" || options_.second_stage == "surrogate") {
    SurrogateOptions settings;
    settings.seed = services.seed();
    settings.exploration = options_.model_free_exploration;
    settings.relink_every = options_.model_free_relink;
    settings.forest.random_thresholds = options_.model_free_random_thresholds;
    return std::make_unique<SurrogateSearch>(services.space(), settings, services.priors());
  }
  return make_strategy({options_.second_stage, services.seed(), services.priors()},
                       services.space());
}

std::string HybridSearch::run(SearchServices& services) {
  services.log(fmt::format("hybrid: LLM ({}, model {}) and {} take turns: {} model-free "
                           "evaluations, then an LLM round of {} configs, up to {} LLM calls",
                           client_->provider(), client_->model(), options_.second_stage,
                           options_.model_free_share, options_.llm_round_configs,
                           options_.llm.max_rounds));
  LlmSession session(options_.llm, client_, services);
  struct Closing {
    LlmSession& session;
    ~Closing() {
      try {
        session.log_stats();
      } catch (...) {
      }
    }
  } closing{session};

  // The model-free search also keeps the devices busy while the LLM thinks (fill_while_waiting),
  // when the budget is the devices' time: under a budget in evaluations it spends them all
  // anyway, in its turns, and filling would only measure them before the LLM's configs.
  std::unique_ptr<Strategy> strategy = make_model_free(services);
  // The surrogate's initial design can be extended after round 0 (model_free_random).
  auto* surrogate = dynamic_cast<SurrogateSearch*>(strategy.get());
  ModelFreeTurns model_free(std::move(strategy), services);
  if (options_.llm.fill_while_waiting && services.evaluations_left() == SIZE_MAX)
    session.fill_with(&model_free);
  RoundOutcome first;
  {
    CappedCompileTimeout cap(services, options_.llm.compile_timeout_cap_s);
    // Round 0 measures at most what it asked for, like the later rounds: a reply that lists
    // more would otherwise spend the budget of the turns (the seed's llm measures them all).
    first = session.first_round(static_cast<std::size_t>(options_.llm.configs_per_round));
  }
  if (first.kind == RoundOutcome::Kind::FellBack) return first.why;
  model_free.observe_new(session.results());
  if (surrogate && options_.model_free_random > 0)
    surrogate->extend_initial_design(options_.model_free_random);

  std::string llm_ended = fmt::format("all {} LLM calls made", options_.llm.max_rounds);
  for (int round = 1; round < options_.llm.max_rounds; ++round) {
    const double best_before = session.best_ms();
    AskTellStretch turn = model_free.take_turn(options_.model_free_share);
    session.absorb(turn.measured);
    if (!turn.stopped.empty()) return turn.stopped;
    if (!services.budget_left()) return kBudgetSpent;
    RoundOutcome outcome;
    {
      CappedCompileTimeout cap(services, options_.llm.compile_timeout_cap_s);
      outcome = session.next_round(
          round, hybrid_note(services.space(), session.results(), turn.measured, best_before,
                             model_free.name()),
          options_.llm_round_configs);
    }
    if (outcome.kind == RoundOutcome::Kind::FellBack) return outcome.why;
    if (outcome.kind == RoundOutcome::Kind::BudgetSpent) return kBudgetSpent;
    if (outcome.kind == RoundOutcome::Kind::NothingNew) {
      llm_ended = outcome.why;
      break;
    }
    model_free.observe_new(session.results());
    if (session.stagnant()) {
      llm_ended = fmt::format("no significant improvement for {} turns", session.stagnant_rounds());
      break;
    }
  }
  services.log(fmt::format("hybrid: LLM done ({}); {} continues alone", llm_ended,
                           model_free.name()));
  const std::string stopped = model_free.take_turn(0).stopped;
  if (!stopped.empty()) return fmt::format("LLM: {}; then {}", llm_ended, stopped);
  return kBudgetSpent;
}

std::shared_ptr<Search> make_hybrid_search(const GuidedSearchSettings& settings,
                                           std::shared_ptr<llm::LlmClient> client) {
  HybridOptions hybrid;
  const LlmGuidedOptions own = hybrid.llm;
  hybrid.llm = settings.llm;
  // The hybrid's own round-0 size and seeds unless the user chose them.
  if (!settings.configs_explicit) hybrid.llm.configs_per_round = own.configs_per_round;
  if (!settings.challenge_round_explicit) hybrid.llm.challenge_round = own.challenge_round;
  if (!settings.initial_random_explicit)
    hybrid.llm.initial_random_configs = own.initial_random_configs;
  if (settings.hybrid_turn) hybrid.model_free_share = *settings.hybrid_turn;
  if (settings.hybrid_llm_configs) hybrid.llm_round_configs = *settings.hybrid_llm_configs;
  if (settings.hybrid_explore) hybrid.model_free_exploration = *settings.hybrid_explore;
  if (settings.hybrid_random) hybrid.model_free_random = *settings.hybrid_random;
  if (settings.hybrid_relink) hybrid.model_free_relink = *settings.hybrid_relink;
  if (settings.hybrid_random_thresholds)
    hybrid.model_free_random_thresholds = *settings.hybrid_random_thresholds;
  return std::make_shared<HybridSearch>(hybrid, std::move(client), settings.provider.redacted());
}

}  // namespace tuna::search
