// The prompt of every round after the first: what was measured, and where to look next.
#include <fmt/format.h>

#include "llm/feedback.hpp"
#include "llm/feedback_challenger.hpp"
#include "llm/prompt_format.hpp"
#include "llm/prompt_sections.hpp"
#include "llm/prompting.hpp"

namespace tuna::llm {
namespace {

constexpr std::size_t kResourcesShown = 6;
// Parameters with suggested moves per anchor: enough to cover the parameters that matter,
// few enough that the list stays a short ranking rather than a catalogue.
constexpr std::size_t kMovesAnchor1 = 6;
constexpr std::size_t kMovesAnchor2 = 3;
// Two-switch moves of anchor 1: a few, since each costs a slot on a hunch.
constexpr std::size_t kSwitchPairs = 3;

std::string moves_guidance(const FeedbackInputs& fb, const std::vector<const Result*>& ranked) {
  if (ranked.empty()) return {};
  std::string moves = suggested_moves(fb, ranked[0]->config, kMovesAnchor1, "    ");
  const Result* second = pick_second_anchor(ranked);
  std::string moves2 = second ? suggested_moves(fb, second->config, kMovesAnchor2, "    ") : "";
  if (moves.empty() && moves2.empty()) return {};
  std::string out =
      "- One-parameter moves worth measuring, most promising first, each with the evidence for "
      "it: parameters whose values changed the time most, then parameters never varied. Moves "
      "that failed or spilled in most configs using the value, or that would exceed the "
      "device's limits, are left out.\n";
  if (!moves.empty()) out += "  Around anchor 1:\n" + moves;
  if (!moves2.empty()) out += "  Around anchor 2:\n" + moves2;
  const std::string pairs = paired_switch_moves(fb, ranked[0]->config, kSwitchPairs, "    ");
  if (!pairs.empty())
    out += "- Two-switch moves of anchor 1 worth a slot each: a two-valued parameter never tried "
           "near it, flipped together with another. On/off options often pay only in "
           "combination, so a flip that loses alone may win with a second one.\n" + pairs;
  return out;
}

// Where to look: refinements of the anchors, backing off after many failures.
std::string anchor_guidance(const RefinementPromptInputs& in, const FeedbackInputs& fb) {
  const auto ranked = ranked_results(in.results);
  const std::size_t failed = in.results.size() - ranked.size();
  std::string out;
  auto bullet = [&](const std::string& text) { out += "- " + text + "\n"; };
  if (should_back_off(failed, in.results.size())) {
    bullet(fmt::format(
        "Back off: {} of the {} configs measured so far failed, a third or more. Build only on "
        "anchors 1 and 2; make at least 80% of the configs one- or two-parameter changes of "
        "them; move towards smaller, safer values first (smaller tiles, less work per thread, "
        "less unrolling, fewer resource-hungry options); avoid the values and pairs the failure "
        "rates above single out.",
        failed, in.results.size()));
  } else {
    bullet("About two thirds of the configs: one-parameter changes of anchor 1. Most of the rest: "
           "one- or two-parameter changes of anchor 2. At most a few from a clearly different "
           "family, each chosen for a reason, not at random.");
  }
  return out + moves_guidance(fb, ranked);
}

// The round's own guidance (the anchors, or the challenge round's family), then what holds for
// every config.
std::string next_step(const RefinementPromptInputs& in, const FeedbackInputs& fb) {
  std::string out =
      in.challenger ? challenge_guidance(in.space, *in.challenger) : anchor_guidance(in, fb);
  auto bullet = [&](const std::string& text) { out += "- " + text + "\n"; };
  bullet("Prefer changes whose effect can be told apart: one idea per config. A gain smaller "
         "than the timing noise above is not a gain.");
  bullet("Keep configs sparse: usually 1 to 4 changed parameters, never more than 6.");
  if (in.compile_timeout_s > 0)
    bullet(fmt::format("A config that takes longer than {:g} s to compile is abandoned.",
                       in.compile_timeout_s));
  bullet("If unsure, return fewer configs rather than invalid ones.");
  return out;
}

std::string achieved(const RefinementPromptInputs& in) {
  if (!in.spec) return {};
  const auto ranked = ranked_results(in.results);
  if (ranked.empty() || ranked[0]->config.size() != in.space.params().size()) return {};
  return describe_achieved(*in.spec, in.space, in.device, ranked[0]->config, ranked[0]->median_ms);
}

}  // namespace

std::string build_refinement_prompt(const RefinementPromptInputs& in) {
  const FeedbackInputs fb{in.space, in.default_config, in.results, in.spec, in.device};
  std::string failures = summarize_failed_configs(fb);
  if (!failures.empty()) failures += "\n" + summarize_failure_rates(fb);
  std::vector<std::pair<std::string, std::string>> sections;
  sections.emplace_back(fmt::format("Search state after round {}", in.round - 1),
                        summarize_search_state(fb));
  sections.emplace_back("Anchors", summarize_anchors(fb));
  sections.emplace_back("Configs that ran, fastest first", format_results(fb));
  sections.emplace_back("Failed configs", failures);
  sections.emplace_back("Achieved performance", achieved(in));
  sections.emplace_back("Patterns among the top configs", analyze_top_configs(fb));
  sections.emplace_back("Where parameters interact", summarize_interactions(fb));
  sections.emplace_back("Resource usage of the top configs (as the compiler reported it)",
                        summarize_resources(fb, kResourcesShown));
  sections.emplace_back("Next step", next_step(in, fb));
  const std::string where = in.challenger
                                ? "all with " + challenge_family(in.space, *in.challenger)
                                : std::string("around the anchors above");
  sections.emplace_back(
      "Task",
      fmt::format("Propose up to {} new configs for round {}, {}. Repeat "
                  "no config listed above (all {} were measured; repeats are dropped unmeasured) "
                  "and avoid what failed. Answer with the JSON object only: {{\"configs\": "
                  "[...]}}, each config listing only the parameters it changes from the "
                  "default.\n",
                  in.configs_per_round, in.round, where, in.results.size()));
  return join_sections(sections);
}

}  // namespace tuna::llm
