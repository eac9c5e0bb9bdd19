#include "llm/configs_snap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

#include "base/ascii_text.hpp"

namespace tuna::llm {
namespace {

// Strings longer than this are not compared letter by letter: no allowed value is that long
// and the edit distance is quadratic.
constexpr std::size_t kMaxComparedChars = 64;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string shown(const Value& v) {
  return v.is_string() ? quote_untrusted(v.as_string()) : v.to_string();
}

std::optional<bool> word_as_bool(std::string_view word) {
  std::string w = ascii_lower(trim_spaces(word));
  if (w == "true" || w == "yes" || w == "on" || w == "1") return true;
  if (w == "false" || w == "no" || w == "off" || w == "0") return false;
  return std::nullopt;
}

std::optional<Value> snap_bool(const Parameter& p, const Value& raw, std::string& note) {
  if (raw.is_string()) {
    if (auto b = word_as_bool(raw.as_string())) return Value(*b);
    note = fmt::format("{}={} is not a boolean; kept the default", p.name, shown(raw));
    return std::nullopt;
  }
  double x = raw.as_double();
  if (std::isnan(x)) {
    note = fmt::format("{}=nan is not a boolean; kept the default", p.name);
    return std::nullopt;
  }
  if (x != 0 && x != 1) note = fmt::format("{}={} read as true", p.name, shown(raw));
  return Value(x != 0);
}

std::optional<Value> snap_number(const Parameter& p, double x, const Value& raw,
                                 std::string& note) {
  if (std::isnan(x)) {
    note = fmt::format("{}=nan is not a number; kept the default", p.name);
    return std::nullopt;
  }
  const Value* best = nullptr;
  double best_d = std::numeric_limits<double>::infinity();
  const Value* lowest = nullptr;
  const Value* highest = nullptr;
  for (const Value& v : p.values) {
    if (!v.is_number()) continue;
    double y = v.as_double();
    if (!lowest || y < lowest->as_double()) lowest = &v;
    if (!highest || y > highest->as_double()) highest = &v;
    double d = std::fabs(y - x);
    if (!best || d < best_d || (d == best_d && y < best->as_double())) {
      best = &v;
      best_d = d;
    }
  }
  if (!best) {
    note = fmt::format("{}={}: the parameter takes no numbers; kept the default", p.name,
                       shown(raw));
    return std::nullopt;
  }
  if (x >= highest->as_double()) best = highest;  // also +inf, where every distance is inf
  if (x <= lowest->as_double()) best = lowest;
  if (x > highest->as_double() || x < lowest->as_double())
    note = fmt::format("{}={} is outside the allowed range [{}, {}]; using {}", p.name,
                       shown(raw), lowest->to_string(), highest->to_string(), best->to_string());
  else
    note = fmt::format("{}={} is not an allowed value; using the nearest, {}", p.name, shown(raw),
                       best->to_string());
  return *best;
}

std::optional<Value> snap_string(const Parameter& p, const std::string& text, std::string& note) {
  const std::string wanted = ascii_lower(trim_spaces(text));
  for (const Value& v : p.values)
    if (v.is_string() && ascii_lower(v.as_string()) == wanted) return v;
  const Value* best = nullptr;
  std::size_t best_d = 3;
  bool tie = false;
  if (wanted.size() <= kMaxComparedChars) {
    for (const Value& v : p.values) {
      if (!v.is_string() || v.as_string().size() > kMaxComparedChars) continue;
      std::size_t d = edit_distance(wanted, ascii_lower(v.as_string()));
      if (d < best_d) {
        best = &v;
        best_d = d;
        tie = false;
      } else if (d == best_d) {
        tie = true;
      }
    }
  }
  if (best && !tie) {
    note = fmt::format("{}={} is not an allowed value; using the closest, {}", p.name,
                       quote_untrusted(text), quote_untrusted(best->as_string()));
    return *best;
  }
  note = fmt::format("{}={} is not an allowed value; kept the default", p.name,
                     quote_untrusted(text));
  return std::nullopt;
}

}  // namespace

std::optional<Value> snap_to_parameter(const Parameter& p, const Value& raw, std::string& note) {
  note.clear();
  if (p.values.empty()) return std::nullopt;
  if (std::ptrdiff_t i = p.index_of(raw); i >= 0) return p.values[static_cast<std::size_t>(i)];
  if (p.kind == ParamKind::Bool) return snap_bool(p, raw, note);
  Value value = raw;
  if (raw.is_string()) {
    Value parsed = parse_value_text(trim_spaces(raw.as_string()));
    if (!parsed.is_string()) {
      if (std::ptrdiff_t i = p.index_of(parsed); i >= 0)
        return p.values[static_cast<std::size_t>(i)];
      value = parsed;
    }
  }
  const bool has_numbers =
      std::any_of(p.values.begin(), p.values.end(), [](const Value& v) { return v.is_number(); });
  if (value.is_number() && has_numbers) return snap_number(p, value.as_double(), raw, note);
  if (value.is_string()) return snap_string(p, value.as_string(), note);
  // A number for a parameter of words: match its text ("1" in ["1", "2"]).
  for (const Value& v : p.values)
    if (v.is_string() && v.as_string() == value.to_string()) return v;
  note = fmt::format("{}={} is not one of the allowed words; kept the default", p.name,
                     shown(raw));
  return std::nullopt;
}

std::string quote_untrusted(std::string_view text, std::size_t max_chars) {
  std::string out = "'";
  std::size_t shown_chars = 0;
  for (char c : text) {
    if (shown_chars == max_chars) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '\'' || c == '\\')
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
    ++shown_chars;
  }
  return out + "'";
}

}  // namespace tuna::llm
