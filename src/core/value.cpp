#include "tuna/value.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "core/expr_numeric.hpp"
#include "tuna/errors.hpp"

namespace tuna {

namespace {

std::string describe(const Value& v) {
  return fmt::format("{} {}", value_kind_name(v.kind()),
                     v.is_string() ? "'" + v.as_string() + "'" : v.to_string());
}

}  // namespace

const char* value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::Int: return "int";
    case ValueKind::Float: return "float";
    case ValueKind::Bool: return "bool";
    case ValueKind::String: return "string";
  }
  return "?";
}

std::int64_t Value::as_int() const {
  if (const auto* i = int_if()) return *i;
  if (const auto* b = bool_if()) return *b ? 1 : 0;
  if (const auto* f = float_if()) {
    // Integral floats (e.g. the result of M / BM with true division) convert exactly; a
    // fractional one is almost always a mistake worth reporting.
    if (std::isfinite(*f) && std::trunc(*f) == *f && *f >= -9.2233720368547758e18 &&
        *f < 9.2233720368547758e18)
      return static_cast<std::int64_t>(*f);
    throw UserError(fmt::format(
        "expected an integer but got the float {}; use // (floor division), ceil_div(a, b) or "
        "int(x) to make it an integer",
        to_string()));
  }
  throw UserError("expected an integer but got " + describe(*this));
}

double Value::as_double() const {
  if (const auto* i = int_if()) return static_cast<double>(*i);
  if (const auto* f = float_if()) return *f;
  if (const auto* b = bool_if()) return *b ? 1.0 : 0.0;
  throw UserError("expected a number but got " + describe(*this));
}

bool Value::truthy() const {
  if (const auto* i = int_if()) return *i != 0;
  if (const auto* f = float_if()) return *f != 0.0;
  if (const auto* b = bool_if()) return *b;
  return !std::get<std::string>(data_).empty();
}

const std::string& Value::as_string() const {
  if (const auto* s = string_if()) return *s;
  throw UserError("expected a string but got " + describe(*this));
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Shortest text that reads back to the same double; a trailing ".0" keeps floats
  // recognisable as floats (as Python prints them).
  std::string text = fmt::format("{}", v);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string Value::to_string() const {
  if (const auto* i = int_if()) return std::to_string(*i);
  if (const auto* f = float_if()) return format_double(*f);
  if (const auto* b = bool_if()) return *b ? "true" : "false";
  return std::get<std::string>(data_);
}

std::string Value::to_define() const {
  if (const auto* b = bool_if()) return *b ? "1" : "0";
  return to_string();
}

std::partial_ordering compare_int_double(std::int64_t i, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  // Exact comparison: converting i to double would round above 2^53.
  if (d >= 9.2233720368547758e18) return std::partial_ordering::less;
  if (d < -9.2233720368547758e18) return std::partial_ordering::greater;
  double whole = std::trunc(d);
  auto t = static_cast<std::int64_t>(whole);
  if (i != t) return i < t ? std::partial_ordering::less : std::partial_ordering::greater;
  double frac = d - whole;
  if (frac > 0) return std::partial_ordering::less;
  if (frac < 0) return std::partial_ordering::greater;
  return std::partial_ordering::equivalent;
}

std::partial_ordering compare_numbers(const Value& a, const Value& b) {
  const double* fa = a.float_if();
  const double* fb = b.float_if();
  if (fa && fb) return *fa <=> *fb;
  if (fa) return 0 <=> compare_int_double(b.as_int(), *fa);
  if (fb) return compare_int_double(a.as_int(), *fb);
  return a.as_int() <=> b.as_int();
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_string() || b.is_string())
    return a.is_string() && b.is_string() && a.as_string() == b.as_string();
  return compare_numbers(a, b) == std::partial_ordering::equivalent;
}

std::partial_ordering operator<=>(const Value& a, const Value& b) {
  if (a.is_string() && b.is_string()) return a.as_string() <=> b.as_string();
  if (a.is_string() || b.is_string()) return std::partial_ordering::unordered;
  return compare_numbers(a, b);
}

Value parse_value_text(std::string_view text) {
  if (text == "true" || text == "True") return Value(true);
  if (text == "false" || text == "False") return Value(false);
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && text.front() == '+') ++begin;
  std::int64_t i = 0;
  auto ri = std::from_chars(begin, end, i);
  if (ri.ec == std::errc() && ri.ptr == end && begin != end) return Value(i);
  double d = 0;
  auto rd = std::from_chars(begin, end, d);
  if (rd.ec == std::errc() && rd.ptr == end && begin != end) return Value(d);
  return Value(std::string(text));
}

}  // namespace tuna
