#include "backends/opencl/build_log.hpp"

#include <fmt/format.h>

#include <optional>
#include <regex>
#include <sstream>
#include <vector>

namespace tuna::opencl {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// A diagnostic that starts with a location, "ORIGIN:LINE:COL: ...", optionally after an
// "error: " that PoCL puts first. ORIGIN is whatever the implementation calls the in-memory
// source: "<source>", "<kernel>", or a temporary file of its own cache.
const std::regex& located_diagnostic() {
  static const std::regex pattern(R"(^(error: )?([^:\s][^:]*):(\d+):(\d+):\s*(.*)$)");
  return pattern;
}

// "<source>:3:5: error: x", "error: /tmp/pocl/tempfile_x.cl:3:5: x" -> "<file_name>:3:5: error: x".
std::optional<std::string> with_file_name(std::string_view line, std::string_view file_name) {
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(line.begin(), line.end(), m, located_diagnostic())) return std::nullopt;
  std::string rest = m[5].str();
  if (m[1].matched) rest = "error: " + rest;
  return fmt::format("{}:{}:{}: {}", file_name, m[3].str(), m[4].str(), rest);
}

bool mentions_error(std::string_view line) {
  return line.find("error") != std::string_view::npos ||
         line.find("Error") != std::string_view::npos;
}

}  // namespace

std::string first_error_line(std::string_view log, std::string_view file_name) {
  const std::vector<std::string_view> lines = lines_of(log);
  for (std::string_view line : lines) {
    if (!mentions_error(line)) continue;
    if (std::optional<std::string> located = with_file_name(line, file_name)) return *located;
  }
  for (std::string_view line : lines)
    if (mentions_error(line)) return std::string(line);
  return lines.empty() ? std::string() : std::string(lines.front());
}

}  // namespace tuna::opencl
