// The strategies tuna knows, by name, from strategies.def. `auto` picks the hybrid when an LLM
// provider is configured (the CLI resolves that, search::resolve_strategy_name) and otherwise
// the best model-free strategy measured with `tuna compare` (bench/results/strategies.md): the
// surrogate search.
#include "search/registry.hpp"

#include <fmt/format.h>

#include "search/strategy_factories.hpp"
#include "tuna/errors.hpp"

namespace tuna::search {
namespace {

using ModelFreeFactory = std::unique_ptr<Strategy> (*)(const Space&, const StrategyOptions&);
using GuidedFactory = std::shared_ptr<Search> (*)(const GuidedSearchSettings&,
                                                  std::shared_ptr<llm::LlmClient>);

struct StrategyEntry {
  const char* name;
  const char* help;
  ModelFreeFactory model_free;  // exactly one of the two is set
  GuidedFactory guided;
};

constexpr const char* kAutoHelp =
    "hybrid when an LLM provider is configured, else the best model-free strategy (surrogate)";
constexpr const char* kAutoModelFree = "surrogate";

const StrategyEntry kStrategies[] = {
#define TUNA_MODEL_FREE(name, help) {#name, help, &make_##name##_strategy, nullptr},
#define TUNA_GUIDED(name, help) {#name, help, nullptr, &make_##name##_search},
#include "search/strategies.def"
#undef TUNA_MODEL_FREE
#undef TUNA_GUIDED
};

const StrategyEntry* find_entry(const std::string& name) {
  for (const StrategyEntry& e : kStrategies)
    if (name == e.name) return &e;
  return nullptr;
}

std::string names_where(bool (*keep)(const StrategyEntry&)) {
  std::string names;
  for (const StrategyEntry& e : kStrategies)
    if (keep(e)) names += (names.empty() ? "" : ", ") + std::string(e.name);
  return names;
}

std::string all_names() {
  return "auto, " + names_where([](const StrategyEntry&) { return true; });
}
std::string model_free_names() {
  return "auto, " + names_where([](const StrategyEntry& e) { return e.model_free != nullptr; });
}

[[noreturn]] void throw_unknown(const std::string& name) {
  throw UserError(fmt::format("unknown strategy '{}'; known strategies: {}", name, all_names()));
}

void check_fallback(const std::string& fallback) {
  if (fallback.empty()) return;
  const StrategyEntry* e = fallback == "auto" ? nullptr : find_entry(fallback);
  if (fallback != "auto" && (!e || !e->model_free)) {
    throw UserError(fmt::format("--llm-fallback '{}' is not a model-free strategy; use one of {}",
                                fallback, model_free_names()));
  }
}

}  // namespace

bool is_guided_strategy(const std::string& name) {
  const StrategyEntry* e = find_entry(name);
  return e && e->guided;
}

void require_model_free(const std::string& name) {
  if (name == "auto") return;
  const StrategyEntry* e = find_entry(name);
  if (!e) throw_unknown(name);
  if (e->guided) {
    throw UserError(fmt::format("the '{}' strategy drives its own rounds and needs an LLM "
                                "provider: build it with search::make_guided_search (the CLI "
                                "does this for --strategy {} with an --llm-provider)",
                                name, name));
  }
}

std::string resolve_strategy_name(const std::string& name, bool llm_configured) {
  if (name == "auto" && llm_configured) return "hybrid";
  return name;
}

std::shared_ptr<Search> make_search(const StrategyOptions& strategy,
                                    const AskTellSearchOptions& options) {
  return std::make_shared<AskTellSearch>(strategy, options);
}

std::shared_ptr<Search> make_guided_search(const std::string& name,
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

std::shared_ptr<Search> make_guided_search(const std::string& name,
                                           const GuidedSearchSettings& settings,
                                           std::shared_ptr<llm::LlmClient> client) {
  check_fallback(settings.llm.fallback_strategy);
  const StrategyEntry* e = find_entry(name);
  if (!e || !e->guided) {
    throw UserError(fmt::format("'{}' is not an LLM strategy (llm, hybrid)", name));
  }
  return e->guided(settings, std::move(client));
}

}  // namespace tuna::search

namespace tuna {

std::vector<std::pair<std::string, std::string>> strategy_names() {
  std::vector<std::pair<std::string, std::string>> names = {{"auto", search::kAutoHelp}};
  for (const search::StrategyEntry& e : search::kStrategies) names.emplace_back(e.name, e.help);
  return names;
}

std::unique_ptr<Strategy> make_strategy(const StrategyOptions& options, const Space& space) {
  search::require_model_free(options.name);
  const std::string& name = options.name == "auto" ? search::kAutoModelFree : options.name;
  return search::find_entry(name)->model_free(space, options);
}

}  // namespace tuna
