#pragma once
// Parsing large JSON recordings into nlohmann::ordered_json in time linear in their size.
//
// nlohmann's own parser inserts every key into an ordered_json object with a linear search for a
// duplicate, and grows the object's vector by copying (its keys are const, so nothing moves).
// A Kernel Tuner cache keeps every measured config under one object: 17,956 keys for the
// CLBlast GEMM recording, so parsing took 65 % of `tuna compare` on it. This reader gathers each
// object's members first, checks for duplicate keys once per object (among its sorted keys), and
// builds the object at its final size.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tuna::store {

// Where and why a text is not JSON.
struct JsonSyntaxError {
  std::size_t byte = 0;
  std::string message;
};

// The document `text` holds, with every object's members in the text's order and, as nlohmann's
// parser does, a repeated key keeping its first place and its last value. On a syntax error,
// returns nothing and fills `error`.
std::optional<nlohmann::ordered_json> read_ordered_json(std::string_view text,
                                                        JsonSyntaxError& error);

}  // namespace tuna::store
