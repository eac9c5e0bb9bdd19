// Search guidance for the first round, and the helpers the prompt sections share.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "llm/prompt_format.hpp"
#include "llm/prompt_sections.hpp"
#include "llm/prompting.hpp"

namespace tuna::llm {
namespace {

// Comma-separated names of the parameters whose values are words (strategies, not a scale).
std::string word_parameters(const Space& space) {
  std::string out;
  for (const Parameter& p : space.params()) {
    const bool is_words =
        p.kind == ParamKind::List && !p.values.empty() && p.values.front().is_string();
    if (is_words && !p.is_switch()) out += (out.empty() ? "" : ", ") + p.name;
  }
  return out;
}

// The bullet on the two-way choices (Parameter::is_switch), empty without any. Devices differ
// in which combination of them wins (the panel's convolutions: read-only loads with shared
// memory on the A100, neither on the A4000 and A6000), and a model left alone spends round 0 on
// one or two combinations; so every combination gets a config where the round has room for all.
std::string switch_bullet(const Space& space, int configs) {
  const std::string list = switch_names(space);
  if (list.empty()) return {};
  const double combinations = std::ldexp(1.0, static_cast<int>(space.switches().size()));
  if (combinations > configs)
    return fmt::format("Try both settings of each two-way choice ({}) across the configs.", list);
  return fmt::format("The two-way choices ({}) select different ways of running the "
                     "kernel, and which combination wins differs from device to device: give "
                     "every combination that the constraints allow at least one config, each "
                     "with the other parameters set to suit it.",
                     list);
}

}  // namespace

std::string join_sections(const std::vector<std::pair<std::string, std::string>>& sections) {
  std::string out;
  for (const auto& [title, body] : sections) {
    if (body.empty()) continue;
    if (!out.empty()) out += "\n";
    out += "## " + title + "\n" + body;
    if (out.back() != '\n') out += "\n";
  }
  return out;
}

FamilySplit split_families(int n) {
  FamilySplit s;
  if (n <= 0) return s;
  const int share = static_cast<int>(std::lround(0.4 * n));
  s.near_default = std::max(1, share);
  s.balanced = std::min(n - s.near_default, share);
  s.aggressive = n - s.near_default - s.balanced;
  return s;
}

bool should_back_off(std::size_t failed, std::size_t total) {
  return total > 0 && failed * 3 >= total;
}

std::string build_initial_search_guidance(const InitialPromptInputs& in) {
  const int n = std::max(1, in.configs_per_round);
  const FamilySplit f = split_families(n);
  std::string out;
  auto bullet = [&](const std::string& text) { out += "- " + text + "\n"; };
  bullet(fmt::format("Propose up to {} configs, all different. Fewer configs that are valid beat "
                     "more that break the space.",
                     n));
  bullet(fmt::format("Before choosing, read {}the arguments, the hardware and the space, and "
                     "decide what limits this kernel: memory traffic, arithmetic, parallelism, or "
                     "cache and register capacity.",
                     in.kernel_source.empty() ? "the parameter descriptions, " : "the source, "));
  bullet("Spread the configs over three families:");
  out += fmt::format("  - about {} near the default: one or two parameters moved a step or two; "
                     "safe choices that show which direction helps.\n",
                     f.near_default);
  if (f.balanced > 0)
    out += fmt::format("  - about {} balanced: coherent changes to the parameters that matter "
                       "most for this workload, moved together where they interact (a tile size "
                       "with the work per thread that divides it).\n",
                       f.balanced);
  if (f.aggressive > 0)
    out += fmt::format("  - about {} aggressive: bold departures that could pay off a lot, still "
                       "inside every constraint.\n",
                       f.aggressive);
  bullet("If the kernel's structure is unclear, stay nearer the default and avoid several "
         "coupled changes at once.");
  bullet("As a rule change 2 to 6 parameters per config; more only to move to a different "
         "family of coupled settings.");
  bullet("Change every parameter in at least one config, so the first measurements show what "
         "each one does.");
  bullet("Do not push several resource-hungry parameters to their largest values in the same "
         "config.");
  bullet("Check each config against the constraints before including it.");
  if (std::string b = switch_bullet(in.space, n); !b.empty()) bullet(b);
  if (std::string w = word_parameters(in.space); !w.empty())
    bullet(fmt::format("The values of {} are different strategies rather than a scale; give each "
                       "a config.",
                       w));
  if (in.compile_timeout_s > 0)
    bullet(fmt::format("A config that takes longer than {:g} s to compile is abandoned; avoid "
                       "settings that blow up compile time (huge unrolls or tiles).",
                       in.compile_timeout_s));
  return out;
}

}  // namespace tuna::llm
