#include "core/expr_lexer.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "tuna/errors.hpp"

namespace tuna::detail {

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Keyword {
  std::string_view text;
  Tok kind;
};
constexpr Keyword kKeywords[] = {
    {"and", Tok::KwAnd},   {"or", Tok::KwOr},     {"not", Tok::KwNot},
    {"in", Tok::KwIn},     {"if", Tok::KwIf},     {"else", Tok::KwElse},
    {"True", Tok::KwTrue}, {"true", Tok::KwTrue}, {"False", Tok::KwFalse},
    {"false", Tok::KwFalse},
};

struct Symbol {
  std::string_view text;
  Tok kind;
};
// Longest spellings first so that "//" wins over "/" and "**" over "*".
constexpr Symbol kSymbols[] = {
    {"//", Tok::SlashSlash}, {"**", Tok::StarStar}, {"==", Tok::EqEq}, {"!=", Tok::NotEq},
    {"<=", Tok::Le},         {">=", Tok::Ge},       {"&&", Tok::AndAnd}, {"||", Tok::OrOr},
    {"+", Tok::Plus},        {"-", Tok::Minus},     {"*", Tok::Star},  {"/", Tok::Slash},
    {"%", Tok::Percent},     {"<", Tok::Lt},        {">", Tok::Gt},    {"!", Tok::Bang},
    {"?", Tok::Question},    {":", Tok::Colon},     {"(", Tok::LParen}, {")", Tok::RParen},
    {"[", Tok::LBracket},    {"]", Tok::RBracket},  {",", Tok::Comma},
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (true) {
      skip_space();
      if (pos_ >= text_.size()) break;
      out.push_back(next());
    }
    Token end;
    end.kind = Tok::End;
    end.column = text_.size() + 1;
    out.push_back(end);
    return out;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& message) const {
    throw ExprError(fmt::format("column {}: {}", at + 1, message), at + 1);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  Token make(Tok kind, std::size_t start) const {
    Token t;
    t.kind = kind;
    t.column = start + 1;
    t.text = text_.substr(start, pos_ - start);
    return t;
  }

  Token next() {
    char c = text_[pos_];
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])))
      return number();
    if (is_name_start(c)) return name();
    if (c == '"' || c == '\'') return string_literal();
    return symbol();
  }

  Token number() {
    std::size_t start = pos_;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") return hex_number();
    bool is_float = false;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_float = true;
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t save = pos_++;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ < text_.size() && is_digit(text_[pos_])) {
        is_float = true;
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      } else {
        pos_ = save;
      }
    }
    if (pos_ < text_.size() && is_name_char(text_[pos_]))
      fail(pos_, fmt::format("unexpected '{}' after the number '{}'", text_[pos_],
                             text_.substr(start, pos_ - start)));
    Token t = make(is_float ? Tok::Float : Tok::Int, start);
    const char* b = t.text.data();
    const char* e = b + t.text.size();
    if (is_float) {
      auto r = std::from_chars(b, e, t.float_value);
      if (r.ec != std::errc() || r.ptr != e)
        fail(start, fmt::format("the number '{}' is out of range", t.text));
    } else {
      auto r = std::from_chars(b, e, t.int_value);
      if (r.ec != std::errc() || r.ptr != e)
        fail(start, fmt::format("the integer '{}' does not fit in 64 bits", t.text));
    }
    return t;
  }

  Token hex_number() {
    std::size_t start = pos_;
    pos_ += 2;
    std::size_t digits = pos_;
    while (pos_ < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ == digits || (pos_ < text_.size() && is_name_char(text_[pos_])))
      fail(start, "malformed hexadecimal number; write it like 0x40");
    Token t = make(Tok::Int, start);
    const char* b = text_.data() + digits;
    const char* e = text_.data() + pos_;
    auto r = std::from_chars(b, e, t.int_value, 16);
    if (r.ec != std::errc() || r.ptr != e)
      fail(start, fmt::format("the integer '{}' does not fit in 64 bits", t.text));
    return t;
  }

  Token name() {
    std::size_t start = pos_;
    while (true) {
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      // Dotted names (`device.sm_count`) are one name: the language has no member access.
      if (pos_ + 1 < text_.size() && text_[pos_] == '.' && is_name_start(text_[pos_ + 1])) {
        ++pos_;
        continue;
      }
      break;
    }
    Token t = make(Tok::Name, start);
    for (const auto& kw : kKeywords)
      if (kw.text == t.text) t.kind = kw.kind;
    return t;
  }

  Token string_literal() {
    std::size_t start = pos_;
    char quote = text_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= text_.size())
        fail(start, fmt::format("unterminated string: add the closing {} ", quote));
      char c = text_[pos_++];
      if (c == quote) break;
      if (c == '\\') {
        if (pos_ >= text_.size())
          fail(start, fmt::format("unterminated string: add the closing {} ", quote));
        char e = text_[pos_++];
        switch (e) {
          case 'n': value += '\n'; break;
          case 't': value += '\t'; break;
          case '\\': case '\'': case '"': value += e; break;
          default:
            fail(pos_ - 2, fmt::format("unknown escape '\\{}' in a string; use \\\\ for a "
                                       "backslash",
                                       e));
        }
        continue;
      }
      value += c;
    }
    Token t = make(Tok::String, start);
    t.string_value = std::move(value);
    return t;
  }

  Token symbol() {
    std::size_t start = pos_;
    for (const auto& s : kSymbols) {
      if (text_.substr(pos_, s.text.size()) == s.text) {
        pos_ += s.text.size();
        return make(s.kind, start);
      }
    }
    char c = text_[pos_];
    switch (c) {
      case '&': fail(start, "'&' is not an operator here; use '&&' or 'and'");
      case '|': fail(start, "'|' is not an operator here; use '||' or 'or'");
      case '=': fail(start, "'=' is not an operator; use '==' to compare");
      case '^': fail(start, "'^' is not an operator; use '**' for powers");
      default: break;
    }
    if (std::isprint(static_cast<unsigned char>(c)))
      fail(start, fmt::format("unexpected character '{}'", c));
    fail(start, fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> lex(std::string_view text) { return Lexer(text).run(); }

const char* tok_spelling(Tok kind) {
  for (const auto& s : kSymbols)
    if (s.kind == kind) return s.text.data();
  switch (kind) {
    case Tok::End: return "the end of the expression";
    case Tok::Int: return "an integer";
    case Tok::Float: return "a number";
    case Tok::String: return "a string";
    case Tok::Name: return "a name";
    case Tok::KwAnd: return "and";
    case Tok::KwOr: return "or";
    case Tok::KwNot: return "not";
    case Tok::KwIn: return "in";
    case Tok::KwIf: return "if";
    case Tok::KwElse: return "else";
    case Tok::KwTrue: return "True";
    case Tok::KwFalse: return "False";
    default: return "?";
  }
}

std::string describe_token(const Token& token) {
  switch (token.kind) {
    case Tok::End: return "the end of the expression";
    case Tok::Int:
    case Tok::Float: return fmt::format("the number {}", token.text);
    case Tok::String: return fmt::format("the string {}", token.text);
    case Tok::Name: return fmt::format("the name '{}'", token.text);
    default: return fmt::format("'{}'", token.text);
  }
}

}  // namespace tuna::detail
