#pragma once
// The recorded space in words, for the prompt's line for the pseudo-constraint
// `in_recorded_space`: how many configs the recording holds and, when inferred
// (core/recorded_rules.hpp), the rules that describe them.
#include <string>

#include "core/recorded_rules.hpp"

namespace tuna::llm {

std::string describe_recorded_rules(const RecordedRules& rules);

}  // namespace tuna::llm
