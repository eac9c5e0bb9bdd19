#pragma once
// The KernelSpec under which a recorded space is replayed on the sim backend (`tuna import
// --write-spec`, `tuna compare`).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/recorded_space.hpp"
#include "tuna/spec.hpp"

namespace tuna::sim {

// The constraints a spec built here adds where bounds reproduce the recording exactly
// (infer_recorded_rules) are named recorded_rule_1, recorded_rule_2, ...
inline constexpr const char* kRecordedRulePrefix = "recorded_rule_";
// Those constraints of `spec`, as expression text, in order.
std::vector<std::string> recorded_rules_of(const KernelSpec& spec);

// The spec of a recorded space already loaded, without a recording path or source (`tuna
// compare` keeps the space in memory): what spec_from_recording writes, less those two.
KernelSpec spec_from_recorded_space(const RecordedSpace& recorded);

// A spec that replays `recording` on the sim backend: one list parameter per recorded parameter,
// the T1 restrictions (when given) and the inferred recorded rules as constraints, no arguments and no correctness check;
// `source` (optional) the kernel's real source for the LLM; the recorded device's facts when
// known_recorded_device() knows it by name, else its name alone.
KernelSpec spec_from_recording(const std::filesystem::path& recording,
                               const std::optional<std::filesystem::path>& t1_file = {},
                               const std::optional<std::filesystem::path>& source = {});

}  // namespace tuna::sim
