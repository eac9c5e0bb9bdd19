// The prompt of every round after the first: what was measured, and where to look next.
#include <fmt/format.h>

#include "llm/feedback.hpp"
#include "llm/prompt_format.hpp"
#include "llm/prompt_sections.hpp"
#include "llm/prompting.hpp"

namespace tuna::llm {
namespace {

constexpr std::size_t kResultsShown = 12;
constexpr std::size_t kFailuresShown = 10;
constexpr std::size_t kResourcesShown = 6;
std::string next_step(const RefinementPromptInputs& in, const FeedbackInputs& fb) {
  const auto ranked = ranked_results(in.results);
  const std::size_t failed = in.results.size() - ranked.size();
  std::string out;
  auto bullet = [&](const std::string& text) { out += "- " + text + "\n"; };
  if (should_back_off(failed, in.results.size())) {
    bullet(fmt::format(
        "Back off: {} of the {} configs measured so far failed, a third or more. Build only on "
        "anchors 1 and 2; make at least 80% of the configs one- or two-parameter changes of "
        "them; move towards smaller, safer values first (smaller tiles, less work per thread, "
        "less unrolling, fewer resource-hungry options); repeat no setting that the failed "
        "configs above share.",
        failed, in.results.size()));
  } else {
    bullet("About two thirds of the configs: one-parameter changes of anchor 1. Most of the rest: "
           "one- or two-parameter changes of anchor 2. At most a few from a clearly different "
           "family, each chosen for a reason, not at random.");
  }
  if (!ranked.empty()) {
    std::string moves = untried_moves(fb, ranked[0]->config, "    ");
    const Result* second = pick_second_anchor(ranked);
    std::string moves2 = second ? untried_moves(fb, second->config, "    ") : std::string();
    if (!moves.empty() || !moves2.empty()) {
      bullet("Measure every parameter's effect around the best configs: include one-parameter "
             "moves for each parameter that still has an unmeasured neighbouring value. The "
             "best config's neighbourhood is often where the last gains are, and a parameter "
             "never moved is a parameter never learned.");
      if (!moves.empty()) out += "  Unmeasured one-step moves of anchor 1:\n" + moves;
      if (!moves2.empty()) out += "  Unmeasured one-step moves of anchor 2:\n" + moves2;
    }
  }
  bullet("Prefer changes whose effect can be told apart: one idea per config.");
  bullet("Keep configs sparse: usually 1 to 4 changed parameters, never more than 6.");
  if (in.compile_timeout_s > 0)
    bullet(fmt::format("A config that takes longer than {:g} s to compile is abandoned.",
                       in.compile_timeout_s));
  bullet("If unsure, return fewer configs rather than invalid ones.");
  return out;
}

}  // namespace

std::string build_refinement_prompt(const RefinementPromptInputs& in) {
  const FeedbackInputs fb{in.space, in.default_config, in.results};
  std::vector<std::pair<std::string, std::string>> sections;
  sections.emplace_back(fmt::format("Search state after round {}", in.round - 1),
                        summarize_search_state(fb));
  sections.emplace_back("Anchors", summarize_anchors(fb));
  sections.emplace_back("Results, fastest first (changes from the default)",
                        format_results(fb, kResultsShown));
  sections.emplace_back("Patterns among the top configs", analyze_top_configs(fb));
  sections.emplace_back("Failed configs (status [error class] changes: reason)",
                        summarize_failed_configs(fb, kFailuresShown));
  sections.emplace_back("Resource usage of the top configs (as the compiler reported it)",
                        summarize_resources(fb, kResourcesShown));
  sections.emplace_back("Next step", next_step(in, fb));
  sections.emplace_back(
      "Task",
      fmt::format("Propose up to {} new configs for round {}, around the anchors above; repeat "
                  "no config listed above and avoid what failed. Answer with the JSON object "
                  "only: {{\"configs\": [...]}}, each config listing only the parameters it "
                  "changes from the default.\n",
                  in.configs_per_round, in.round));
  return join_sections(sections);
}

}  // namespace tuna::llm
