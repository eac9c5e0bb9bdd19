#pragma once
// Putting a value a model proposed onto one parameter's allowed values.
#include <optional>
#include <string>
#include <string_view>

#include "tuna/space.hpp"

namespace tuna::llm {

// The allowed value of `p` that `raw` stands for. Exact matches (numbers across kinds, numeric
// strings such as "64", "true"/"yes"/"1" for booleans, strings differing only in case) pass
// silently; a number off the list or out of range goes to the nearest allowed value (ties to the
// smaller one), a near-miss string (edit distance <= 2) to its closest value, and `note` says so.
// nullopt, with `note` saying why, when nothing sensible fits (NaN, a word for a number): the
// caller keeps the default.
std::optional<Value> snap_to_parameter(const Parameter& p, const Value& raw, std::string& note);

// Untrusted text made safe and short for a log line: quoted, control and non-ASCII bytes as
// \xNN, cut at `max_chars` with "...".
std::string quote_untrusted(std::string_view text, std::size_t max_chars = 40);

}  // namespace tuna::llm
