#include "backends/common/compiler_log.hpp"

#include <sstream>
#include <vector>

namespace tuna::backends {

std::string trim(std::string_view text) {
  std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string shorten_message(std::string line) {
  constexpr std::size_t kMaxMessage = 300;
  if (line.size() > kMaxMessage) line = line.substr(0, kMaxMessage - 3) + "...";
  return line;
}

std::string strip_directories(const std::string& line, std::size_t path_end) {
  if (path_end == std::string::npos) return line;
  std::size_t slash = line.rfind('/', path_end);
  return slash == std::string::npos ? line : line.substr(slash + 1);
}

std::optional<ErrorLine> find_error_line(
    std::string_view log, const std::function<bool(const std::string&)>& is_diagnostic) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(log)};
  for (std::string line; std::getline(in, line);) lines.push_back(trim(line));
  for (const auto& line : lines)
    if (is_diagnostic(line)) return ErrorLine{line, ErrorLineKind::Diagnostic};
  for (const auto& line : lines)
    if (line.find("error") != std::string::npos)
      return ErrorLine{line, ErrorLineKind::MentionsError};
  for (const auto& line : lines)
    if (!line.empty()) return ErrorLine{line, ErrorLineKind::FirstLine};
  return std::nullopt;
}

}  // namespace tuna::backends
