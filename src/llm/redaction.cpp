#include "llm/redaction.hpp"

namespace tuna::llm {

std::string scrub_secret(std::string_view text, std::string_view secret) {
  std::string out;
  if (secret.empty()) return std::string(text);
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t hit = text.find(secret, pos);
    if (hit == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, hit - pos));
    out.append("***");
    pos = hit + secret.size();
  }
  return out;
}

std::string strip_url_credentials(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::size_t authority = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::size_t at = url.rfind('@', authority_end);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
}

}  // namespace tuna::llm
