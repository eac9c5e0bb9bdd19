#pragma once
// "Did you mean ...?" for unknown names, shared by expressions, spaces and the spec parser.
#include <string>
#include <string_view>
#include <vector>

namespace tuna {

// Levenshtein distance, case-insensitive for letters (so "bm" is close to "BM").
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a distance that scales with the name's length, or "".
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);
// "; did you mean 'BM'?" or "" when nothing is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);
// "BM, BN, KW" (at most `limit` names, then ", ... (N more)"), or "none" when empty.
std::string list_names(const std::vector<std::string>& names, std::size_t limit = 16);

}  // namespace tuna
