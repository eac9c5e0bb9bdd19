#pragma once
// Rules that say which configs a recording holds. A space replayed from a recording is
// restricted to the recorded configs (Space::restrict_to), which shows among the constraints as
// the bare pseudo-constraint `in_recorded_space`: neither a user nor a model can tell from it
// which configs are valid. Recorders such as Kernel Tuner drop configs by restrictions of the
// form "a * b <= K" that the cache does not keep; infer_recorded_rules finds bounds on one
// parameter or on the product of two that reproduce the recorded set exactly, when they exist.
// The replayed spec carries them as constraints (store/recording_spec.cpp) and the LLM's prompt
// says them in words (llm/prompting.cpp).
#include <optional>
#include <string>
#include <vector>

#include "tuna/space.hpp"

namespace tuna {

struct RecordedRules {
  std::size_t recorded = 0;     // configs of the recording (the valid ones)
  std::size_t candidates = 0;   // combinations that meet the other constraints (0: not counted)
  bool exact = false;           // `rules` with the other constraints give exactly the recording
  bool other_constraints = false;  // the space has constraints besides in_recorded_space
  // Expressions over the parameters, "block_size_x * block_size_y >= 64": the fewest that
  // suffice, each cutting some combination the others leave.
  std::vector<std::string> rules;
};

// Spaces with more combinations than `max_grid` are not enumerated: the result then has only
// `recorded` (from Space::size). nullopt when the space is not restricted.
std::optional<RecordedRules> infer_recorded_rules(const Space& space,
                                                  double max_grid = 1'000'000);

}  // namespace tuna
