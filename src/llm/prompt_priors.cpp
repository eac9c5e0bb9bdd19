// The first prompt's section on priors: the fastest configs the same kernel had elsewhere
// (tuna/prior.hpp), stated as hints from another device or problem, never as measurements here.
// Besides the fastest, the fastest of each other setting of the two-way choices
// (Parameter::is_switch): devices often differ in which family of such choices wins (the
// convolutions of ../shared/datasets: shared memory and read-only loads on the A100, neither on
// the A4000 and A6000), and a list of the fastest alone shows one family only.
#include <fmt/format.h>

#include <algorithm>

#include "llm/prompt_format.hpp"
#include "llm/prompt_sections.hpp"

namespace tuna::llm {

namespace {

// The prior's fastest config of each setting of the switches that its first `shown` configs do
// not have, fastest first, at most kPriorFamiliesShown.
std::vector<const PriorEntry*> fastest_of_other_families(const Space& space, const Prior& prior,
                                                         std::size_t shown) {
  std::vector<std::vector<Value>> seen;
  std::vector<const PriorEntry*> out;
  const std::vector<PriorEntry>& ranked = prior.ranked();
  for (std::size_t i = 0; i < ranked.size() && out.size() < kPriorFamiliesShown; ++i) {
    std::vector<Value> family = space.switch_settings(ranked[i].config);
    if (std::find(seen.begin(), seen.end(), family) != seen.end()) continue;
    seen.push_back(std::move(family));
    if (i >= shown && space.is_valid(ranked[i].config)) out.push_back(&ranked[i]);
  }
  return out;
}

}  // namespace

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
    const std::vector<const PriorEntry*> others = fastest_of_other_families(space, *prior, shown);
    if (others.empty()) continue;
    out += fmt::format("The fastest there with the two-way choices ({}) set otherwise:\n",
                       switch_names(space));
    for (const PriorEntry* e : others)
      out += fmt::format("- {:.2f}x {}\n", fastest > 0 ? e->time_ms / fastest : 1.0,
                         diff_compact(space, e->config, base));
  }
  return out;
}

}  // namespace tuna::llm
