#pragma once
// Messages stored with a result are one line (for tables, and for the LLM's feedback).
#include <string>
#include <string_view>

namespace tuna::eval {

// The first non-empty line of `text`, trimmed, at most `max_chars` long ("..." marks a cut).
std::string one_line(std::string_view text, std::size_t max_chars = 240);

}  // namespace tuna::eval
