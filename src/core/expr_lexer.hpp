#pragma once
// Tokens of the expression language (tuna and Python/Kernel Tuner spellings alike).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tuna::detail {

enum class Tok {
  End, Int, Float, String, Name,
  Plus, Minus, Star, Slash, SlashSlash, Percent, StarStar,
  EqEq, NotEq, Lt, Le, Gt, Ge,
  AndAnd, OrOr, Bang, Question, Colon,
  LParen, RParen, LBracket, RBracket, Comma,
  KwAnd, KwOr, KwNot, KwIn, KwIf, KwElse, KwTrue, KwFalse,
};

struct Token {
  Tok kind = Tok::End;
  std::size_t column = 1;  // 1-based
  std::string_view text;   // as written, for messages
  std::int64_t int_value = 0;
  double float_value = 0;
  std::string string_value;  // a string literal's contents, escapes resolved
};

// Splits `text` into tokens ending with Tok::End. Throws ExprError at the offending column.
std::vector<Token> lex(std::string_view text);

// "')'", "a name", "the end of the expression": for "expected X, found Y" messages.
std::string describe_token(const Token& token);
const char* tok_spelling(Tok kind);

}  // namespace tuna::detail
