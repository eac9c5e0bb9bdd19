#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tuna/errors.hpp"
#include "tuna/space.hpp"

namespace tuna {

namespace {

std::string list_values(const std::vector<Value>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size() && i < 24; ++i) {
    if (i) out += ", ";
    out += values[i].to_string();
  }
  if (values.size() > 24) out += fmt::format(", ... ({} values)", values.size());
  return out;
}

void check_default(const Parameter& p) {
  if (p.index_of(p.default_value) < 0)
    throw UserError(fmt::format("parameter '{}': the default {} is not one of its values ({}); "
                                "pick one of them as the default",
                                p.name, p.default_value.to_string(), list_values(p.values)));
}

bool is_power_of_two(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

}  // namespace

const char* param_kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::IntRange: return "int_range";
    case ParamKind::Pow2Range: return "pow2_range";
    case ParamKind::List: return "list";
    case ParamKind::Bool: return "bool";
  }
  return "?";
}

Parameter Parameter::int_range(std::string name, std::int64_t lo, std::int64_t hi,
                               std::int64_t step, Value default_value, std::string description) {
  if (step <= 0)
    throw UserError(fmt::format("parameter '{}': step must be positive, got {}", name, step));
  if (lo > hi)
    throw UserError(fmt::format("parameter '{}': the range is empty (lo {} > hi {}); swap them",
                                name, lo, hi));
  if ((static_cast<double>(hi) - static_cast<double>(lo)) / static_cast<double>(step) >=
      Parameter::kMaxRangeValues)
    throw UserError(fmt::format("parameter '{}': the range {}..{} step {} has more than {} "
                                "values; use a larger step or a power-of-two range",
                                name, lo, hi, step, Parameter::kMaxRangeValues));
  Parameter p;
  p.name = std::move(name);
  p.kind = ParamKind::IntRange;
  for (std::int64_t v = lo; v <= hi; v += step) {
    p.values.emplace_back(v);
    if (hi - v < step) break;  // avoids overflow of v + step near INT64_MAX
  }
  p.default_value = std::move(default_value);
  p.description = std::move(description);
  p.lo = lo;
  p.hi = hi;
  p.step = step;
  check_default(p);
  return p;
}

Parameter Parameter::pow2_range(std::string name, std::int64_t lo, std::int64_t hi,
                                Value default_value, std::string description) {
  if (!is_power_of_two(lo) || !is_power_of_two(hi))
    throw UserError(fmt::format("parameter '{}': a power-of-two range needs powers of two as "
                                "bounds, got {}..{}",
                                name, lo, hi));
  if (lo > hi)
    throw UserError(fmt::format("parameter '{}': the range is empty (lo {} > hi {}); swap them",
                                name, lo, hi));
  Parameter p;
  p.name = std::move(name);
  p.kind = ParamKind::Pow2Range;
  for (std::int64_t v = lo;; v *= 2) {
    p.values.emplace_back(v);
    if (v >= hi) break;
  }
  p.default_value = std::move(default_value);
  p.description = std::move(description);
  p.lo = lo;
  p.hi = hi;
  p.step = 2;
  check_default(p);
  return p;
}

Parameter Parameter::list(std::string name, std::vector<Value> values, Value default_value,
                          std::string description) {
  if (values.empty())
    throw UserError(fmt::format("parameter '{}': the list of values is empty", name));
  bool any_string = std::any_of(values.begin(), values.end(),
                                [](const Value& v) { return v.is_string(); });
  bool all_string = std::all_of(values.begin(), values.end(),
                                [](const Value& v) { return v.is_string(); });
  if (any_string && !all_string)
    throw UserError(fmt::format("parameter '{}': mixes strings and numbers ({}); quote every "
                                "value or none",
                                name, list_values(values)));
  for (const auto& v : values) {
    if (v.is_string() && (v.as_string().empty() ||
                          v.as_string().find_first_of(",= \t\n") != std::string::npos))
      throw UserError(fmt::format("parameter '{}': the value '{}' must be non-empty and "
                                  "contain no ',', '=' or spaces (config keys are "
                                  "NAME=VALUE,...)",
                                  name, v.as_string()));
    if (v.is_float() && !std::isfinite(v.as_double()))
      throw UserError(fmt::format("parameter '{}': the value {} is not a finite number", name,
                                  v.to_string()));
  }
  std::vector<Value> unique;
  if (all_string) {
    for (auto& v : values)
      if (std::find(unique.begin(), unique.end(), v) == unique.end()) unique.push_back(v);
  } else {
    std::stable_sort(values.begin(), values.end(),
                     [](const Value& a, const Value& b) { return a < b; });
    for (auto& v : values)
      if (unique.empty() || !(unique.back() == v)) unique.push_back(v);
  }
  Parameter p;
  p.name = std::move(name);
  p.kind = ParamKind::List;
  p.values = std::move(unique);
  p.default_value = std::move(default_value);
  p.description = std::move(description);
  if (p.values.front().is_number()) {
    p.lo = p.values.front().is_float() ? 0 : p.values.front().as_int();
    p.hi = p.values.back().is_float() ? 0 : p.values.back().as_int();
  }
  check_default(p);
  return p;
}

Parameter Parameter::boolean(std::string name, bool default_value, std::string description) {
  Parameter p;
  p.name = std::move(name);
  p.kind = ParamKind::Bool;
  p.values = {Value(false), Value(true)};
  p.default_value = Value(default_value);
  p.description = std::move(description);
  p.lo = 0;
  p.hi = 1;
  return p;
}

std::ptrdiff_t Parameter::index_of(const Value& v) const {
  if (kind == ParamKind::Bool) {
    // Only true/false and 1/0 name a bool's values (2 is not "true" here).
    if (v.is_string()) return -1;
    if (v == Value(false)) return 0;
    if (v == Value(true)) return 1;
    return -1;
  }
  if (v.is_number() && !values.empty() && values.front().is_number()) {
    auto it = std::lower_bound(values.begin(), values.end(), v,
                               [](const Value& a, const Value& b) { return a < b; });
    if (it != values.end() && *it == v) return it - values.begin();
    return -1;
  }
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] == v) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

}  // namespace tuna
