#pragma once
// A forgiving JSON reader for text written by a language model, and the search for JSON inside
// such text. Models wrap JSON in code fences or prose, write Python literals (True, None,
// 'single quotes'), leave trailing commas, and get cut off by their output-token limit; all of
// that is read here. Everything is bounded: nesting depth, bytes scanned, candidates tried.
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tuna::llm {

inline constexpr int kMaxJsonDepth = 64;
// Replies longer than this are read only up to here: a real answer is a few kilobytes.
inline constexpr std::size_t kMaxReplyBytes = std::size_t{1} << 20;

struct LenientJson {
  nlohmann::json value;
  // The text ended inside the value: the incomplete trailing element (or member) of every open
  // container was dropped and the containers closed.
  bool truncated = false;
};

// Reads one value that spans all of `text` (surrounding whitespace and comments allowed).
// Accepts, beyond JSON: True/False/None, single-quoted strings, trailing commas, unquoted
// object keys, '#' and '//' line comments, a leading '+' on numbers. With `allow_truncated`,
// text that ends inside the value gives the complete part. nullopt on anything else, or when
// nesting exceeds kMaxJsonDepth.
std::optional<LenientJson> parse_lenient_json(std::string_view text, bool allow_truncated = false);

// Looks for JSON in `text` and returns the first candidate that `accept` takes, in this order:
// the contents of code fences (```json, ```python or bare), the whole text, then each balanced
// {...} or [...] block from left to right (an outer block first, then the blocks inside it); the
// first block left open by the end of the text is read, up to its last complete element, where
// the scan meets it (a reply cut off by the token limit); last, a code fence left open. `any_json` is set when some candidate parsed as
// an object or array, whether accepted or not.
std::optional<LenientJson> find_json(std::string_view text,
                                     const std::function<bool(const nlohmann::json&)>& accept,
                                     bool& any_json);

}  // namespace tuna::llm
