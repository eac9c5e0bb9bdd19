// The strategies tuna knows, by name. `auto` picks the hybrid when an LLM provider is configured
// (the CLI resolves that, search::resolve_strategy_name) and otherwise the best model-free
// strategy measured with `tuna compare` (bench/results/strategies.md): the surrogate search.
#include "search/registry.hpp"

#include <fmt/format.h>

#include "search/differential_evolution.hpp"
#include "search/exhaustive.hpp"
#include "search/genetic_algorithm.hpp"
#include "search/hybrid.hpp"
#include "search/pattern_search.hpp"
#include "search/random_search.hpp"
#include "search/simulated_annealing.hpp"
#include "search/surrogate.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna {
namespace {

std::string known_names() {
  std::string known;
  for (const auto& [name, _] : strategy_names()) known += (known.empty() ? "" : ", ") + name;
  return known;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> strategy_names() {
  return {
      {"auto", "hybrid when an LLM provider is configured, else the best model-free strategy "
               "(surrogate)"},
      {"random", "valid configs drawn uniformly at random, without replacement"},
      {"exhaustive", "every valid config, in enumeration order"},
      {"surrogate", "a random forest, trained on every measurement to tell the fastest fifth "
                    "from the rest, ranks neighbours of the best configs and random samples; "
                    "the most promising is measured next (docs/strategies.md)"},
      {"pattern", "hill climbing one parameter step at a time from the best configs, with "
                  "restarts (Helion's pattern search)"},
      {"differential_evolution", "differential evolution on value indices"},
      {"simulated_annealing", "a random walk over neighbours that accepts slower configs less "
                              "and less often"},
      {"genetic_algorithm", "tournament selection, uniform crossover and mutation, elitist"},
      {"llm", "an LLM proposes configs in rounds, fed back what was measured (docs/llm.md)"},
      {"hybrid", "the LLM and the surrogate take turns, each seeing what the other measured"},
  };
}

std::unique_ptr<Strategy> make_strategy(const StrategyOptions& options, const Space& space) {
  if (options.name == "random") {
    return std::make_unique<search::RandomSearch>(space,
                                                  search::RandomSearchOptions{options.seed});
  }
  if (options.name == "exhaustive") return std::make_unique<search::ExhaustiveStrategy>(space);
  if (options.name == "surrogate" || options.name == "auto") {
    search::SurrogateOptions surrogate;
    surrogate.seed = options.seed;
    return std::make_unique<search::SurrogateSearch>(space, surrogate);
  }
  if (options.name == "pattern") {
    return std::make_unique<search::PatternSearch>(space,
                                                   search::PatternSearchOptions{options.seed});
  }
  if (options.name == "differential_evolution") {
    return std::make_unique<search::DifferentialEvolution>(
        space, search::DifferentialEvolutionOptions{options.seed});
  }
  if (options.name == "simulated_annealing") {
    return std::make_unique<search::SimulatedAnnealing>(
        space, search::SimulatedAnnealingOptions{options.seed});
  }
  if (options.name == "genetic_algorithm") {
    return std::make_unique<search::GeneticAlgorithm>(
        space, search::GeneticAlgorithmOptions{options.seed});
  }
  if (search::is_guided_strategy(options.name)) {
    throw UserError(fmt::format("the '{}' strategy drives its own rounds and needs an LLM "
                                "provider: build it with search::make_guided_search and set "
                                "TuneOptions::guided_search (the CLI does this for --strategy {})",
                                options.name, options.name));
  }
  throw UserError(fmt::format("unknown strategy '{}'; known strategies: {}", options.name,
                              known_names()));
}

}  // namespace tuna

namespace tuna::search {
namespace {

void check_fallback(const std::string& fallback) {
  if (fallback.empty()) return;
  bool known = false;
  for (const auto& [name, _] : strategy_names()) known = known || name == fallback;
  if (!known || is_guided_strategy(fallback)) {
    std::string model_free;
    for (const auto& [name, _] : strategy_names()) {
      if (!is_guided_strategy(name)) model_free += (model_free.empty() ? "" : ", ") + name;
    }
    throw UserError(fmt::format("--llm-fallback '{}' is not a model-free strategy; use one of {}",
                                fallback, model_free));
  }
}

}  // namespace

bool is_guided_strategy(const std::string& name) { return name == "llm" || name == "hybrid"; }

std::string resolve_strategy_name(const std::string& name, bool llm_configured) {
  if (name == "auto" && llm_configured) return "hybrid";
  return name;
}

std::shared_ptr<GuidedSearch> make_guided_search(const std::string& name,
                                                 const GuidedSearchSettings& settings) {
  if (!is_guided_strategy(name)) {
    throw UserError(fmt::format("'{}' is not an LLM strategy (llm, hybrid)", name));
  }
  settings.llm.validate();
  check_fallback(settings.llm.fallback_strategy);
  llm::ProviderSettings provider = settings.provider;
  provider.request_timeout_s = settings.llm.request_timeout_s;
  provider.structured_output = settings.llm.structured_output;
  std::shared_ptr<llm::LlmClient> client = llm::make_llm_client(provider);
  return make_guided_search(name, settings, std::move(client));
}

std::shared_ptr<GuidedSearch> make_guided_search(const std::string& name,
                                                 const GuidedSearchSettings& settings,
                                                 std::shared_ptr<llm::LlmClient> client) {
  check_fallback(settings.llm.fallback_strategy);
  std::string provider_json = settings.provider.redacted();
  if (name == "llm") {
    return std::make_shared<LlmGuidedSearch>(settings.llm, std::move(client), provider_json);
  }
  if (name == "hybrid") {
    HybridOptions hybrid;
    const LlmGuidedOptions own = hybrid.llm;
    hybrid.llm = settings.llm;
    // The hybrid's own round-0 size and seeds unless the user chose them.
    if (!settings.configs_explicit) hybrid.llm.configs_per_round = own.configs_per_round;
    if (!settings.initial_random_explicit)
      hybrid.llm.initial_random_configs = own.initial_random_configs;
    if (settings.hybrid_turn) hybrid.model_free_share = *settings.hybrid_turn;
    if (settings.hybrid_llm_configs) hybrid.llm_round_configs = *settings.hybrid_llm_configs;
    if (settings.hybrid_explore) hybrid.model_free_exploration = *settings.hybrid_explore;
    return std::make_shared<HybridSearch>(hybrid, std::move(client), provider_json);
  }
  throw UserError(fmt::format("'{}' is not an LLM strategy (llm, hybrid)", name));
}

}  // namespace tuna::search
