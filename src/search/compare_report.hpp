#pragma once
// Output of `tuna compare`: a text table, a CSV with one row per space and strategy, and an SVG
// plot of the mean score (over spaces) against the number of evaluations.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "search/compare.hpp"

namespace tuna::search {

std::string format_compare_table(const CompareReport& report);
// One line per LLM run: evaluations, calls, tokens, model time, store run, why it stopped.
std::string format_guided_runs(const CompareReport& report);
// Adds what the LLM strategies cost to a `compare --json` document (report::compare_json):
// "llm" in each of their strategy rows, with each run's details in the rows of a space, and
// "runs" (how many runs the row averages) in every strategy row.
void add_llm_usage_json(nlohmann::ordered_json& document, const CompareReport& report);
std::string compare_csv(const CompareReport& report);
std::string compare_svg(const CompareReport& report);
// Writes `text` to `file`; throws UserError naming the file when it cannot.
void write_text_file(const std::filesystem::path& file, const std::string& text);

}  // namespace tuna::search
