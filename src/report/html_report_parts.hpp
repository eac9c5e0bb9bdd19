#pragma once
// Pieces shared by the HTML report's section writers (html_report.cpp, html_report_llm.cpp).
#include <string>
#include <string_view>

#include "report/html_report.hpp"

namespace tuna::report::html {

// "2025-01-31 12:00:00 UTC"; "-" for 0 (not recorded).
std::string utc_time(double seconds_since_epoch);
// A config as its parameters that differ from the default (all of the key without a default),
// escaped; "default" for the default itself.
std::string config_cell(const RunReport& report, const std::string& key);
// At most `max_bytes` of `text` (with a note of what was cut), escaped.
std::string escaped_excerpt(std::string_view text, std::size_t max_bytes);
std::string time_cell(const Result& r);

// The priors section (empty when the run had no prior).
std::string priors_section(const RunReport& report);

// The LLM section (empty when the run made no LLM calls).
std::string llm_section(const RunReport& report);

}  // namespace tuna::report::html
