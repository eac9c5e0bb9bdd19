#pragma once
// Output of `tuna compare`: a text table, a CSV with one row per space and strategy, and an SVG
// plot of the mean score (over spaces) against the number of evaluations.
#include <filesystem>
#include <string>

#include "search/compare.hpp"

namespace tuna::search {

std::string format_compare_table(const CompareReport& report);
std::string compare_csv(const CompareReport& report);
std::string compare_svg(const CompareReport& report);
// Writes `text` to `file`; throws UserError naming the file when it cannot.
void write_text_file(const std::filesystem::path& file, const std::string& text);

}  // namespace tuna::search
