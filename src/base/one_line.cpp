#include "base/one_line.hpp"

namespace tuna::eval {

std::string one_line(std::string_view text, std::size_t max_chars) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      std::size_t last = line.find_last_not_of(" \t\r");
      std::string out(line.substr(first, last - first + 1));
      if (out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
      return out;
    }
    pos = end + 1;
  }
  return {};
}

}  // namespace tuna::eval
