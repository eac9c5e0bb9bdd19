#include "llm/prompt_format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace tuna::llm {

std::string value_json(const Value& v) {
  if (v.is_bool()) return *v.bool_if() ? "true" : "false";
  if (v.is_int()) return std::to_string(*v.int_if());
  if (v.is_float()) {
    double d = *v.float_if();
    if (!std::isfinite(d)) return "null";  // JSON has no NaN or infinity
    return format_double(d);
  }
  std::string out = "\"";
  for (char c : v.as_string()) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string config_json(const Space& space, const Config& config) {
  std::string out = "{";
  const auto& params = space.params();
  for (std::size_t i = 0; i < params.size() && i < config.size(); ++i) {
    if (i) out += ", ";
    out += value_json(Value(params[i].name)) + ": " + value_json(config[i]);
  }
  return out + "}";
}

std::string diff_json(const Space& space, const Config& config, const Config& base) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : space.diff(config, base)) {
    if (!first) out += ", ";
    first = false;
    out += value_json(Value(name)) + ": " + value_json(value);
  }
  return out + "}";
}

namespace {

std::string value_compact(const Value& v) {
  if (!v.is_string()) return v.is_float() ? value_json(v) : v.to_string();
  const std::string& s = v.as_string();
  bool bare = !s.empty() && s.find_first_of(" \t=\"\\,") == std::string::npos;
  for (char c : s) bare = bare && static_cast<unsigned char>(c) >= 0x20;
  return bare ? s : value_json(v);
}

}  // namespace

std::string setting_compact(const Parameter& p, const Value& v) {
  return p.name + "=" + value_compact(v);
}

std::string diff_compact(const Space& space, const Config& config, const Config& base) {
  std::string out;
  for (const auto& [name, value] : space.diff(config, base)) {
    if (!out.empty()) out += ' ';
    out += name + "=" + value_compact(value);
  }
  return out.empty() ? "(default)" : out;
}

std::string format_ms(double ms) {
  if (!std::isfinite(ms)) return "n/a";
  if (std::fabs(ms) >= 1000) return fmt::format("{:.1f} ms", ms);
  return fmt::format("{:.4g} ms", ms);
}

std::string format_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  if (!std::isfinite(bytes) || bytes < 1024) return fmt::format("{:.0f} bytes", bytes);
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  if (bytes == std::floor(bytes)) return fmt::format("{:.0f} {}", bytes, kUnits[unit]);
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string format_count(double n) {
  if (!std::isfinite(n) || std::fabs(n) >= 1e12 || n != std::floor(n))
    return fmt::format("{:.3g}", n);
  // Thousands grouped by hand: locale-dependent formatting would make prompts differ by machine.
  std::string digits = std::to_string(static_cast<long long>(std::fabs(n)));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string format_percent(double fraction) {
  return fmt::format("{:+.1f}%", fraction * 100);
}

std::string format_share(double fraction) {
  const double pct = fraction * 100;
  if (!std::isfinite(pct)) return "n/a";
  if (std::fabs(pct) < 10) return fmt::format("{:.2g}%", pct);
  return fmt::format("{:.0f}%", pct);
}

std::string format_ratio(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  if (ratio < 10) return fmt::format("x{:.3f}", ratio);
  return fmt::format("x{:.1f}", ratio);
}

std::string switch_names(const Space& space) {
  std::string out;
  for (std::size_t i : space.switches()) out += (out.empty() ? "" : ", ") + space.params()[i].name;
  return out;
}

}  // namespace tuna::llm
