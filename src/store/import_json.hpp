#pragma once
// JSON helpers shared by the importers and exporters of recordings.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/value.hpp"

namespace tuna::store {

// A parameter value from JSON: integers stay integers, other numbers are floats, strings and
// bools keep their kind. Throws UserError (naming `where`) for arrays, objects and null.
Value value_from_json(const nlohmann::ordered_json& j, std::string_view where);
nlohmann::ordered_json value_to_json(const Value& v);

// A number field, or `fallback` when it is absent or not a number.
double number_or(const nlohmann::ordered_json& object, const char* key, double fallback = 0);

// The numbers of the array field `key` (non-numbers skipped); empty when it is absent or not an
// array.
std::vector<double> numbers_in(const nlohmann::ordered_json& object, const char* key);

// Parses `text` as JSON; a syntax error becomes a UserError naming the file and the byte.
nlohmann::ordered_json parse_json_file(const std::filesystem::path& file, const std::string& text);

// Appends `v` to `values` unless an equal value is there already (keeps the file's order).
void add_distinct(std::vector<Value>& values, const Value& v);

}  // namespace tuna::store
