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
// The correct measured config using one of `values` at `param` that differs from `anchor` in
// the fewest other parameters (the faster on ties), and those parameters; nullopt when no such
// config was measured.
struct NearestUse {
  const Result* result = nullptr;
  std::vector<std::size_t> other_params;  // where it differs from the anchor besides `param`
};
std::optional<NearestUse> nearest_use_of(const FeedbackInputs& in, const Config& anchor,
                                         std::size_t param, const std::vector<Value>& values);
// How many other parameters nearest_use_of's config differs in; nullopt as there.
std::optional<std::size_t> nearest_use(const FeedbackInputs& in, const Config& anchor,
                                       std::size_t param, const std::vector<Value>& values);

}  // namespace tuna::llm::detail
