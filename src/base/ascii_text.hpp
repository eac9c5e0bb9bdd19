#pragma once
// Case and whitespace handling for the ASCII words tuna compares: parameter and provider names,
// HTTP header names, file extensions, error words in a server's reply. Bytes outside ASCII are
// left as they are (no locale is consulted).
#include <string>
#include <string_view>

namespace tuna {

// `text` with A-Z turned into a-z.
std::string ascii_lower(std::string_view text);

// `text` without leading and trailing whitespace (space, tab, newline, CR, VT, FF).
std::string_view trim_spaces(std::string_view text);

}  // namespace tuna
