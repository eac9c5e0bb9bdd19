#include "llm/configs_json.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <vector>

namespace tuna::llm {
namespace {

using nlohmann::json;

// How many bracket positions find_json tries, and how many bytes its bracket matching may scan
// in all: a 1 MB reply of nothing but '{' must not take quadratic time.
constexpr std::size_t kMaxBlockStarts = 512;
constexpr std::size_t kBracketScanBudget = std::size_t{16} << 20;
constexpr std::size_t kMaxFences = 32;

enum class Outcome { Ok, Truncated, Error };

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  Outcome read_all(json& out) {
    skip_space();
    Outcome r = value(out, 0);
    if (r != Outcome::Ok) return r;
    skip_space();
    while (pos_ < s_.size() && s_[pos_] == ';') {  // "configs = {...};" style endings
      ++pos_;
      skip_space();
    }
    return pos_ == s_.size() ? Outcome::Ok : Outcome::Error;
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }

  void skip_space() {
    while (!at_end()) {
      char c = s_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '#' || (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/')) {
        while (!at_end() && s_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  Outcome value(json& out, int depth) {
    if (depth > kMaxJsonDepth) return Outcome::Error;
    if (at_end()) return Outcome::Truncated;
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"' || c == '\'') {
      std::string text;
      Outcome r = string(text);
      if (r == Outcome::Ok) out = std::move(text);
      return r;
    }
    if (c == '-' || c == '+' || c == '.' || std::isdigit(static_cast<unsigned char>(c)))
      return number(out);
    if (is_ident_start(c)) return literal(out);
    return Outcome::Error;
  }

  Outcome literal(json& out) {
    std::string_view word = identifier();
    if (word == "true" || word == "True") {
      out = true;
    } else if (word == "false" || word == "False") {
      out = false;
    } else if (word == "null" || word == "None") {
      out = nullptr;
    } else {
      return Outcome::Error;
    }
    return at_end() ? Outcome::Truncated : Outcome::Ok;  // "Tru" and "True" look alike at EOF
  }

  std::string_view identifier() {
    std::size_t start = pos_;
    while (!at_end() && is_ident_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  Outcome number(json& out) {
    std::size_t start = pos_;
    while (!at_end()) {
      char c = s_[pos_];
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' ||
            c == 'e' || c == 'E'))
        break;
      ++pos_;
    }
    if (at_end()) return Outcome::Truncated;  // "12" may have been "128"
    std::string_view lexeme = s_.substr(start, pos_ - start);
    if (!lexeme.empty() && lexeme.front() == '+') lexeme.remove_prefix(1);
    if (lexeme.empty()) return Outcome::Error;
    const char* end = lexeme.data() + lexeme.size();
    std::int64_t i = 0;
    auto ri = std::from_chars(lexeme.data(), end, i);
    if (ri.ec == std::errc() && ri.ptr == end) {
      out = i;
      return Outcome::Ok;
    }
    double d = 0;
    auto rd = std::from_chars(lexeme.data(), end, d);
    if (rd.ptr != end || (rd.ec != std::errc() && rd.ec != std::errc::result_out_of_range))
      return Outcome::Error;
    // from_chars leaves the value alone when out of range; strtod gives +-inf or 0 instead.
    if (rd.ec == std::errc::result_out_of_range) d = std::strtod(std::string(lexeme).c_str(), nullptr);
    out = d;
    return Outcome::Ok;
  }

  Outcome string(std::string& out) {
    const char quote = s_[pos_++];
    while (!at_end()) {
      char c = s_[pos_++];
      if (c == quote) return Outcome::Ok;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) return Outcome::Truncated;
      char e = s_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (s_.size() - pos_ < 4) return Outcome::Truncated;
          std::uint32_t cp = 0;
          auto r = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, cp, 16);
          if (r.ptr != s_.data() + pos_ + 4) return Outcome::Error;
          pos_ += 4;
          // Lone or paired surrogates alike become U+FFFD: parameter values are ASCII anyway.
          append_utf8(out, (cp >= 0xD800 && cp <= 0xDFFF) ? 0xFFFD : cp);
          break;
        }
        default: out += e;  // \" \' \\ \/ and anything a model invents
      }
    }
    return Outcome::Truncated;
  }

  Outcome key(std::string& out) {
    if (at_end()) return Outcome::Truncated;
    char c = s_[pos_];
    if (c == '"' || c == '\'') return string(out);
    if (!is_ident_start(c)) return Outcome::Error;
    out = std::string(identifier());
    return at_end() ? Outcome::Truncated : Outcome::Ok;
  }

  Outcome array(json& out, int depth) {
    out = json::array();
    ++pos_;
    for (;;) {
      skip_space();
      if (at_end()) return Outcome::Truncated;
      if (s_[pos_] == ']') {
        ++pos_;
        return Outcome::Ok;
      }
      json element;
      Outcome r = value(element, depth + 1);
      if (r != Outcome::Ok) return r;  // a truncated element is dropped, the array kept
      out.push_back(std::move(element));
      skip_space();
      if (at_end()) return Outcome::Truncated;
      if (s_[pos_] == ',') {
        ++pos_;
      } else if (s_[pos_] != ']') {
        return Outcome::Error;
      }
    }
  }

  Outcome object(json& out, int depth) {
    out = json::object();
    ++pos_;
    for (;;) {
      skip_space();
      if (at_end()) return Outcome::Truncated;
      if (s_[pos_] == '}') {
        ++pos_;
        return Outcome::Ok;
      }
      std::string name;
      if (Outcome r = key(name); r != Outcome::Ok) return r;
      skip_space();
      if (at_end()) return Outcome::Truncated;
      if (s_[pos_] != ':') return Outcome::Error;
      ++pos_;
      skip_space();
      json member;
      Outcome r = value(member, depth + 1);
      // A cut-off list or object still holds complete elements ({"configs": [{...}, {...}, {"B);
      // a cut-off scalar is a guess, and a cut-off element of a list is dropped by the list.
      if (r == Outcome::Truncated && member.is_structured()) out[name] = std::move(member);
      if (r != Outcome::Ok) return r;
      out[name] = std::move(member);
      skip_space();
      if (at_end()) return Outcome::Truncated;
      if (s_[pos_] == ',') {
        ++pos_;
      } else if (s_[pos_] != '}') {
        return Outcome::Error;
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// Index just past the bracket that closes the one at `start`, skipping quoted strings (either
// quote), or npos when the text ends first. Charges the bytes scanned to `budget`.
std::size_t matching_close(std::string_view text, std::size_t start, std::size_t& budget) {
  std::vector<char> open;
  char quote = 0;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (budget == 0) return std::string_view::npos;
    --budget;
    char c = text[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      // An apostrophe inside a word ("don't") is prose, not a string.
      bool word_before = i > start && std::isalnum(static_cast<unsigned char>(text[i - 1]));
      if (c == '"' || !word_before) quote = c;
    } else if (c == '{' || c == '[') {
      if (open.size() > static_cast<std::size_t>(kMaxJsonDepth)) return std::string_view::npos;
      open.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (open.empty() || open.back() != c) return std::string_view::npos;
      open.pop_back();
      if (open.empty()) return i + 1;
    }
  }
  return std::string_view::npos;
}

struct Fence {
  std::string_view body;
  bool closed = false;
};

std::vector<Fence> code_fences(std::string_view text) {
  std::vector<Fence> fences;
  std::size_t pos = 0;
  while (fences.size() < kMaxFences) {
    std::size_t open = text.find("```", pos);
    if (open == std::string_view::npos) break;
    std::size_t line_end = text.find('\n', open + 3);
    if (line_end == std::string_view::npos) break;
    std::size_t close = text.find("```", line_end + 1);
    if (close == std::string_view::npos) {
      fences.push_back({text.substr(line_end + 1), false});
      break;
    }
    fences.push_back({text.substr(line_end + 1, close - line_end - 1), true});
    pos = close + 3;
  }
  return fences;
}

}  // namespace

std::optional<LenientJson> parse_lenient_json(std::string_view text, bool allow_truncated) {
  LenientJson out;
  Reader reader(text);
  Outcome r = reader.read_all(out.value);
  if (r == Outcome::Ok) return out;
  if (r == Outcome::Truncated && allow_truncated && !out.value.is_null()) {
    out.truncated = true;
    return out;
  }
  return std::nullopt;
}

std::optional<LenientJson> find_json(std::string_view text,
                                     const std::function<bool(const json&)>& accept,
                                     bool& any_json) {
  any_json = false;
  if (text.size() > kMaxReplyBytes) text = text.substr(0, kMaxReplyBytes);
  auto try_text = [&](std::string_view candidate, bool allow_truncated) -> std::optional<LenientJson> {
    std::optional<LenientJson> parsed = parse_lenient_json(candidate, allow_truncated);
    if (!parsed || !(parsed->value.is_object() || parsed->value.is_array())) return std::nullopt;
    any_json = true;
    if (!accept(parsed->value)) return std::nullopt;
    return parsed;
  };

  const std::vector<Fence> fences = code_fences(text);
  for (const Fence& f : fences)
    if (f.closed)
      if (auto found = try_text(f.body, false)) return found;
  if (auto found = try_text(text, false)) return found;

  std::size_t budget = kBracketScanBudget;
  std::size_t first_unclosed = std::string_view::npos;
  std::size_t starts = 0;
  for (std::size_t i = 0; i < text.size() && starts < kMaxBlockStarts && budget > 0; ++i) {
    if (text[i] != '{' && text[i] != '[') continue;
    ++starts;
    std::size_t end = matching_close(text, i, budget);
    if (end == std::string_view::npos) {
      // The first block left open is, most likely, the answer cut off by the token limit; the
      // complete blocks inside it are only its first configs.
      if (first_unclosed == std::string_view::npos) {
        first_unclosed = i;
        if (auto found = try_text(text.substr(i), true)) return found;
      }
      continue;
    }
    if (auto found = try_text(text.substr(i, end - i), false)) return found;
  }

  // A fence that never closed: the reply was cut off inside it.
  for (const Fence& f : fences)
    if (!f.closed)
      if (auto found = try_text(f.body, true)) return found;
  return std::nullopt;
}

}  // namespace tuna::llm
