#include "search/compare_guided.hpp"

#include <fmt/format.h>

#include "tuna/errors.hpp"

namespace tuna::search {

RunTrace run_guided_on_recording(const ReplaySpace& space, const CompareRunKey& key,
                                 const GuidedSearchFactory& make_search,
                                 const ReplayRunSettings& settings) {
  if (!make_search) {
    throw UserError(
        fmt::format("compare: the '{}' strategy needs an LLM client; configure a "
                    "provider (docs/llm.md)",
                    key.strategy));
  }
  ReplayRunSettings guided = settings;
  guided.guided = true;
  return run_search_on_recording(
      space, key,
      [&](const std::function<void(const std::string&)>& log) { return make_search(key, log); },
      guided);
}

}  // namespace tuna::search
