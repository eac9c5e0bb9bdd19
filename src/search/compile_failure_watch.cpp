#include "search/compile_failure_watch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "tuna/errors.hpp"

namespace tuna::search {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Replaces whole-word occurrences of `word` in `text` with '#'.
std::string replace_word(const std::string& text, const std::string& word) {
  if (word.empty()) return text;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const bool starts_word = i == 0 || !is_word_char(text[i - 1]);
    const std::size_t end = i + word.size();
    if (starts_word && text.compare(i, word.size(), word) == 0 &&
        (end == text.size() || !is_word_char(text[end]))) {
      out += '#';
      i = end;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// "-DBM=64" -> "-D#"; "/tmp/tuna-1/ab12cd34ef.cpp" -> "ab12cd34ef.cpp" (the hash goes below).
std::string without_defines_and_directories(std::string_view message) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    if (is_space(message[i])) {
      out += message[i++];
      continue;
    }
    std::size_t end = i;
    while (end < message.size() && !is_space(message[end])) ++end;
    std::string_view token = message.substr(i, end - i);
    if (token.starts_with("-D") || token.starts_with("'-D") || token.starts_with("\"-D")) {
      out += token.front() == '-' ? "-D#" : "'-D#'";
    } else if (std::size_t slash = token.rfind('/'); slash != std::string_view::npos) {
      // A path keeps its last component, and the quote or parenthesis that opened it.
      std::size_t lead = 0;
      while (lead < token.size() && (token[lead] == '\'' || token[lead] == '"' ||
                                     token[lead] == '(' || token[lead] == '`'))
        ++lead;
      out += token.substr(0, lead);
      out += token.substr(slash + 1);
    } else {
      out += token;
    }
    i = end;
  }
  return out;
}

// Each run of digits becomes '#', and so does a whole word of eight or more hexadecimal digits
// (the hash that names a generated file).
std::string without_numbers(const std::string& text) {
  auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_word_char(text[end])) ++end;
    const std::string_view word(text.data() + i, end - i);
    const bool hash = word.size() >= 8 && std::all_of(word.begin(), word.end(), is_hex) &&
                      std::any_of(word.begin(), word.end(), is_digit);
    if (hash) {
      out += '#';
    } else {
      for (std::size_t k = 0; k < word.size();) {
        if (!is_digit(word[k])) {
          out += word[k++];
          continue;
        }
        while (k < word.size() && is_digit(word[k])) ++k;
        out += '#';
      }
    }
    i = end;
  }
  return out;
}

}  // namespace

std::string normalise_compile_message(std::string_view message, const Config& config) {
  std::string text = without_defines_and_directories(message);
  for (const Value& v : config.values())
    if (v.is_string()) text = replace_word(text, v.as_string());
  return without_numbers(text);
}

CompileFailureWatch::CompileFailureWatch(std::string default_key, std::size_t failures)
    : default_key_(std::move(default_key)), failures_needed_(failures) {}

void CompileFailureWatch::observe(const Result& r) {
  if (!armed_) return;
  // Invalid configs never reach the compiler, and a timeout may be the compiler's or the run's:
  // neither says anything about the source.
  if (r.status == Status::Invalid || r.status == Status::Timeout) return;
  if (r.status != Status::CompileError) {
    armed_ = false;  // this config compiled: failures, if any, depend on the config
    return;
  }
  std::string normalised = normalise_compile_message(r.message, r.config);
  if (failures_ > 0 && normalised != normalised_) {
    armed_ = false;  // two configs fail for two reasons
    return;
  }
  if (failures_ == 0) normalised_ = std::move(normalised);
  ++failures_;
  if (r.key == default_key_) {
    default_failed_ = true;
    first_message_ = r.message;
  } else if (first_message_.empty()) {
    first_message_ = r.message;
  }
  if (!default_failed_ || failures_ < failures_needed_) return;
  armed_ = false;
  throw UserError(fmt::format(
      "the default config and the first {} others all fail to compile with the same message, "
      "and none compiled:\n  {}\nThe problem is in the spec or the kernel source, not in a "
      "config: check [kernel] flags (a flag this compiler rejects), the source file and its "
      "includes, then run again. The search stopped early; the failures are stored.",
      failures_ - 1, first_message_));
}

}  // namespace tuna::search
