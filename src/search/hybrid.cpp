#include "search/hybrid.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "search/ask_tell_loop.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

HybridSearch::HybridSearch(HybridOptions options, std::shared_ptr<llm::LlmClient> client,
                           std::string provider_json)
    : options_(std::move(options)),
      llm_stage_(options_.llm, std::move(client), std::move(provider_json)) {}

std::string HybridSearch::options_json() const {
  nlohmann::json j = {{"llm_stage", nlohmann::json::parse(llm_stage_.options_json())},
                      {"second_stage", options_.second_stage}};
  return j.dump();
}

std::string HybridSearch::run(SearchServices& services) {
  std::string llm_why = llm_stage_.run(services);
  // A provider failure with a fallback already spent the budget on the fallback strategy.
  if (llm_stage_.fell_back()) return llm_why;
  if (!services.budget_left()) return kBudgetSpent;
  std::unique_ptr<Strategy> strategy =
      options_.make_second_stage
          ? options_.make_second_stage(services.space(), services.seed())
          : make_strategy({options_.second_stage, services.seed()}, services.space());
  services.log(fmt::format("hybrid: LLM stage done ({}); {} continues from its {} results",
                           llm_why, strategy->name(), llm_stage_.results().size()));
  std::string why = continue_with_strategy(services, *strategy, llm_stage_.results());
  if (why == kBudgetSpent) return why;
  return fmt::format("LLM stage: {}; then {}", llm_why, why);
}

}  // namespace tuna::search
