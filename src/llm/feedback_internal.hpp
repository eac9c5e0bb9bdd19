#pragma once
// Helpers the feedback_*.cpp files share; not part of the prompt API.
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "llm/feedback.hpp"

namespace tuna::llm::detail {

// The result's canonical key (recomputed when its config is complete).
std::string key_of(const Space& space, const Result& r);
// The changes from the default as JSON ({"BM": 64}) or compactly (BM=64).
std::string diff_of(const FeedbackInputs& in, const Result& r);
std::string compact_diff_of(const FeedbackInputs& in, const Result& r);
// Control characters replaced by spaces, cut at a fixed length with "...".
std::string one_line(std::string_view text);
std::string joined(const std::vector<std::string>& items, std::string_view sep = ", ");
// Whether the backend reported register spills (spill_*_bytes or spills above zero).
bool spills(const Result& r);
// A measured config that differs from an anchor in at most this many parameters besides the
// one being moved is near it: its time says something about the move.
constexpr std::size_t kNearOtherParams = 1;
// The keys of every measured config, failed ones included.
std::set<std::string> measured_keys(const FeedbackInputs& in);
// The fewest parameters, besides `param`, in which a correct measured config using one of
// `values` at `param` differs from `anchor`; nullopt when no such config was measured.
std::optional<std::size_t> nearest_use(const FeedbackInputs& in, const Config& anchor,
                                       std::size_t param, const std::vector<Value>& values);

}  // namespace tuna::llm::detail
