#pragma once
// Reading a compiler's log for the one line a result's message quotes. Each compiler marks its
// diagnostics its own way (`x.cpp:3:1: error:` for GCC and Clang, `x.cu(3): error` for NVRTC);
// what is shared is the order of preference and the tidying of the chosen line.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tuna::backends {

// How a line was chosen, best first.
enum class ErrorLineKind {
  Diagnostic,     // a line the compiler's own predicate recognises as an error diagnostic
  MentionsError,  // else the first line that contains "error"
  FirstLine,      // else the first non-empty line
};

struct ErrorLine {
  std::string text;  // trimmed of surrounding white space
  ErrorLineKind kind = ErrorLineKind::FirstLine;
};

// The line of `log` that best says what went wrong; nullopt for a log without text.
std::optional<ErrorLine> find_error_line(
    std::string_view log, const std::function<bool(const std::string&)>& is_diagnostic);

// `text` without leading and trailing spaces, tabs and line breaks.
std::string trim(std::string_view text);

// `line` cut to 300 characters (ending in "...") so that a message stays one readable line.
std::string shorten_message(std::string line);

// `line` without the directories of the path that ends at `path_end` ("/a/b/x.cpp:3: error"
// with path_end at the first ':' gives "x.cpp:3: error"); unchanged when there is no path.
std::string strip_directories(const std::string& line, std::size_t path_end);

}  // namespace tuna::backends
