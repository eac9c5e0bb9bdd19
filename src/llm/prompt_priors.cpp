// The first prompt's section on priors: the fastest configs the same kernel had elsewhere
// (tuna/prior.hpp), stated as hints from another device or problem, never as measurements here.
#include <fmt/format.h>

#include <algorithm>

#include "llm/prompt_format.hpp"
#include "llm/prompt_sections.hpp"

namespace tuna::llm {

std::string describe_priors(const Space& space,
                            const std::vector<std::shared_ptr<const Prior>>& priors) {
  std::string out;
  const Config base = space.default_config();
  for (const auto& prior : priors) {
    if (!prior || prior->empty()) continue;
    if (out.empty()) {
      out += "Configs of this kernel measured ELSEWHERE (another device, problem or version of "
             "the kernel), fastest first, with their time relative to the fastest there. They are "
             "hints: what was fast there is often fast here, but not always; nothing below was "
             "measured on this device.\n";
    }
    out += fmt::format("\nFrom {} ({} configs ran correctly there):\n", prior->label(),
                       prior->size());
    const double fastest = prior->ranked().front().time_ms;
    const std::size_t shown = std::min<std::size_t>(kPriorConfigsShown, prior->size());
    for (std::size_t i = 0; i < shown; ++i) {
      const PriorEntry& e = prior->ranked()[i];
      out += fmt::format("- {:.2f}x {}\n", fastest > 0 ? e.time_ms / fastest : 1.0,
                         diff_compact(space, e.config, base));
    }
  }
  return out;
}

}  // namespace tuna::llm
