#include "llm/recorded_rules.hpp"

#include <fmt/format.h>

#include "llm/prompt_format.hpp"

namespace tuna::llm {

std::string describe_recorded_rules(const RecordedRules& r) {
  if (r.candidates > 0 && r.candidates == r.recorded)
    return r.other_constraints
               ? "the recording holds every combination that meets the other constraints: "
                 "nothing more to check"
               : "the recording holds every combination of the values above: nothing to check";
  std::string out =
      fmt::format("only the {} configs of the recording are valid", format_count(r.recorded));
  if (r.candidates == 0) return out + "; a config outside them is moved to a nearby recorded one";
  out += fmt::format(" (of {} combinations of the values above{})", format_count(r.candidates),
                     r.other_constraints ? " that meet the other constraints" : "");
  if (!r.exact)  // exact with no rule means every combination is recorded, said above
    return out + "; no bound on one parameter or on the product of two reproduces them, and a "
                 "config outside them is moved to a nearby recorded one";
  std::string rules;
  for (std::size_t i = 0; i < r.rules.size(); ++i) rules += (i ? ", `" : "`") + r.rules[i] + "`";
  return out + "; they are exactly those with " + rules + " (inferred from the recording)";
}

}  // namespace tuna::llm
