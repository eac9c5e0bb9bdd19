#pragma once
// Value: one value of a parameter, a constant or an expression result.
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace tuna {

enum class ValueKind : std::uint8_t { Int, Float, Bool, String };

class Value {
 public:
  Value() : data_(std::int64_t{0}) {}
  Value(std::int64_t v) : data_(v) {}  // NOLINT: implicit on purpose, values are literals
  Value(int v) : data_(std::int64_t{v}) {}  // NOLINT
  Value(double v) : data_(v) {}  // NOLINT
  Value(bool v) : data_(v) {}  // NOLINT
  Value(std::string v) : data_(std::move(v)) {}  // NOLINT
  Value(const char* v) : data_(std::string(v)) {}  // NOLINT

  ValueKind kind() const { return static_cast<ValueKind>(data_.index()); }
  bool is_int() const { return kind() == ValueKind::Int; }
  bool is_float() const { return kind() == ValueKind::Float; }
  bool is_bool() const { return kind() == ValueKind::Bool; }
  bool is_string() const { return kind() == ValueKind::String; }
  bool is_number() const { return !is_string(); }  // bools count as 0/1

  // Conversions throw UserError when the kind does not fit (a string used as a number).
  std::int64_t as_int() const;
  double as_double() const;
  bool truthy() const;
  const std::string& as_string() const;

  // Unchecked views for hot loops (the expression machine): null when the kind differs.
  const std::int64_t* int_if() const noexcept { return std::get_if<std::int64_t>(&data_); }
  const double* float_if() const noexcept { return std::get_if<double>(&data_); }
  const bool* bool_if() const noexcept { return std::get_if<bool>(&data_); }
  const std::string* string_if() const noexcept { return std::get_if<std::string>(&data_); }

  // Canonical text: 64, 0.5, true, false, or the string itself. Used in keys and reports.
  std::string to_string() const;
  // Text for a C/C++ preprocessor define: bools as 1/0, strings verbatim.
  std::string to_define() const;

  // Numbers compare by value across kinds (1 == 1.0 == true); strings only with strings.
  friend bool operator==(const Value& a, const Value& b);
  friend std::partial_ordering operator<=>(const Value& a, const Value& b);

 private:
  std::variant<std::int64_t, double, bool, std::string> data_;
};

const char* value_kind_name(ValueKind kind);

// Reads a value written as text (a key, a flag): "64" -> int, "0.5" / "1e3" -> float,
// "true"/"false"/"True"/"False" -> bool, anything else -> the string itself.
Value parse_value_text(std::string_view text);
// Shortest text that reads back to the same double, with ".0" on whole numbers ("2.0", "0.5").
std::string format_double(double v);

}  // namespace tuna
