#include "core/spec_write.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/spec_device.hpp"
#include "core/spec_diag.hpp"
#include "core/triton_options.hpp"

namespace tuna {
namespace spec_internal {
namespace {

// A float as TOML writes it, always recognisable as a float ("1.0", not "1").
std::string toml_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string text = fmt::format("{}", v);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string toml_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int:
      return std::to_string(v.as_int());
    case ValueKind::Float:
      return toml_float(v.as_double());
    case ValueKind::Bool:
      return v.truthy() ? "true" : "false";
    case ValueKind::String:
      return toml_quote(v.as_string());
  }
  return {};
}

std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : toml_quote(key);
}

// A number literal that parse_spec turns back into an expression with the same text is written
// as a number (count = 512); everything else as a string (count = "M * K").
std::string toml_expr(const Expr& e) {
  const std::string& text = e.text();
  if (e.names().empty() && !text.empty()) {
    std::int64_t i = 0;
    const char* end = text.data() + text.size();
    if (auto [p, ec] = std::from_chars(text.data(), end, i); ec == std::errc() && p == end) {
      if (Expr::constant(Value(i)).text() == text) return text;
    }
    double d = 0;
    if (auto [p, ec] = std::from_chars(text.data(), end, d); ec == std::errc() && p == end) {
      if (std::isfinite(d) && toml_float(d) == text && Expr::constant(Value(d)).text() == text)
        return text;
    }
  }
  return toml_quote(text);
}

std::string toml_string_list(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& s : items) quoted.push_back(toml_quote(s));
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

std::string toml_value_list(const std::vector<Value>& values) {
  std::vector<std::string> items;
  for (const auto& v : values) items.push_back(toml_value(v));
  return fmt::format("[{}]", fmt::join(items, ", "));
}

std::string path_text(const std::filesystem::path& path, SourcePath form) {
  return form == SourcePath::Absolute
             ? std::filesystem::absolute(path).lexically_normal().string()
             : path.filename().string();
}

void write_kernel(std::string& out, const KernelSpec& spec, SourcePath source_path) {
  out += "[kernel]\n";
  out += fmt::format("name = {}\n", toml_quote(spec.name));
  out += fmt::format("backend = {}\n", toml_quote(spec.backend));
  if (!spec.source.empty())
    out += fmt::format("source = {}\n", toml_quote(path_text(spec.source, source_path)));
  if (!spec.recording.empty())
    out += fmt::format("recording = {}\n", toml_quote(path_text(spec.recording, source_path)));
  out += fmt::format("entry = {}\n", toml_quote(spec.entry));
  if (!spec.description.empty())
    out += fmt::format("description = {}\n", toml_quote(spec.description));
  out += fmt::format("flags = {}\n", toml_string_list(spec.compiler_flags));
  out += fmt::format("define_format = {}\n", toml_quote(spec.define_format));
}

void write_problem(std::string& out, const KernelSpec& spec) {
  if (spec.constants.values().empty()) return;
  out += "\n[problem]\n";
  for (const auto& [name, value] : spec.constants.values())
    out += fmt::format("{} = {}\n", toml_key(name), toml_value(value));
}

std::string param_form(const Parameter& p) {
  switch (p.kind) {
    case ParamKind::IntRange:
      return fmt::format("range = [{}, {}], step = {}", p.lo, p.hi, p.step);
    case ParamKind::Pow2Range:
      return fmt::format("pow2 = [{}, {}]", p.lo, p.hi);
    case ParamKind::Bool:
      return "type = \"bool\"";
    case ParamKind::List:
      return fmt::format("values = {}", toml_value_list(p.values));
  }
  return {};
}

void write_params(std::string& out, const KernelSpec& spec) {
  out += "\n[params]\n";
  for (const auto& ps : spec.parameters) {
    const Parameter& p = ps.param;
    std::string line = fmt::format("{} = {{ {}, default = {}", toml_key(p.name), param_form(p),
                                   toml_value(p.default_value));
    if (!p.description.empty())
      line += fmt::format(", description = {}", toml_quote(p.description));
    out += line + " }\n";
  }
}

void write_constraints(std::string& out, const KernelSpec& spec) {
  if (spec.constraints.empty()) return;
  out += "\n[constraints]\n";
  for (std::size_t i = 0; i < spec.constraints.size(); ++i)
    out += fmt::format("{} = {}\n", toml_key(spec.constraint_name(i)),
                       toml_quote(spec.constraints[i].expr.text()));
}

void write_argument(std::string& out, const Argument& a, SourcePath paths) {
  out += "\n[[args]]\n";
  out += fmt::format("name = {}\n", toml_quote(a.name));
  out += fmt::format("type = {}\n", toml_quote(dtype_name(a.dtype)));
  if (!a.is_buffer) {
    out += fmt::format("value = {}\n", toml_expr(a.value));
    return;
  }
  // No count: the buffer takes its data file's element count.
  if (!a.count.empty()) out += fmt::format("count = {}\n", toml_expr(a.count));
  out += fmt::format("role = {}\n", toml_quote(arg_role_name(a.role)));
  // Always written for a constant, so that naming the default symbol or leaving it out gives
  // the same text (and hash).
  if (a.role == ArgRole::Constant)
    out += fmt::format("symbol = {}\n", toml_quote(constant_symbol(a)));
  out += fmt::format("init = {}\n", toml_quote(init_kind_name(a.init)));
  if (a.init == InitKind::Constant) out += fmt::format("value = {}\n", toml_float(a.init_value));
  if (a.init == InitKind::Random)
    out += fmt::format("range = [{}, {}]\n", toml_float(a.random_lo), toml_float(a.random_hi));
  if (a.init == InitKind::File)
    out += fmt::format("file = {}\n", toml_quote(path_text(a.file, paths)));
  if (!a.expected.empty())
    out += fmt::format("expected = {}\n", toml_quote(path_text(a.expected, paths)));
}

bool is_default(const Expr& e, int value) {
  return e.empty() || e.text() == Expr::constant(Value(value)).text();
}

// Empty expressions mean their defaults (1 for grid and block, 0 for shared memory), so a spec
// whose geometry is all defaults writes no [launch] and one written by hand with empty
// expressions writes the same text as one read from a file. A Triton spec writes only its grid:
// the parser refuses the keys Triton decides (triton_options.hpp), and the compile children and
// bench workers read the spec back from this text.
void write_launch(std::string& out, const LaunchGeometry& launch, const std::string& backend) {
  bool all_default = is_default(launch.shared_memory_bytes, 0) &&
                     launch.convention == LaunchConvention::Blocks;
  for (std::size_t d = 0; d < 3; ++d)
    all_default = all_default && is_default(launch.grid[d], 1) && is_default(launch.block[d], 1);
  if (all_default) return;
  auto dims = [](const std::array<Expr, 3>& exprs) {
    std::vector<std::string> items;
    for (const auto& e : exprs) items.push_back(e.empty() ? std::string("1") : toml_expr(e));
    return fmt::format("[{}]", fmt::join(items, ", "));
  };
  out += "\n[launch]\n";
  if (launch.convention == LaunchConvention::Global) out += "convention = \"global\"\n";
  out += fmt::format("grid = {}\n", dims(launch.grid));
  if (launch_is_grid_only(backend)) return;
  out += fmt::format("block = {}\n", dims(launch.block));
  out += fmt::format("shared_memory = {}\n", launch.shared_memory_bytes.empty()
                                                 ? std::string("0")
                                                 : toml_expr(launch.shared_memory_bytes));
}

void write_check(std::string& out, const CorrectnessCheck& check) {
  out += "\n[check]\n";
  out += fmt::format("reference = {}\n", toml_quote(reference_name(check.reference)));
  if (!check.reference_entry.empty())
    out += fmt::format("kernel = {}\n", toml_quote(check.reference_entry));
  out += fmt::format("atol = {}\n", toml_float(check.atol));
  out += fmt::format("rtol = {}\n", toml_float(check.rtol));
}

void write_metrics(std::string& out, const Metrics& metrics) {
  if (metrics.flops.empty() && metrics.bytes.empty()) return;
  out += "\n[metrics]\n";
  if (!metrics.flops.empty()) out += fmt::format("flops = {}\n", toml_expr(metrics.flops));
  if (!metrics.bytes.empty()) out += fmt::format("bytes = {}\n", toml_expr(metrics.bytes));
}

}  // namespace

std::string toml_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string spec_to_toml_text(const KernelSpec& spec, SourcePath source_path) {
  std::string out;
  write_kernel(out, spec, source_path);
  write_problem(out, spec);
  write_params(out, spec);
  write_constraints(out, spec);
  for (const auto& a : spec.arguments) write_argument(out, a, source_path);
  write_launch(out, spec.launch, spec.backend);
  write_check(out, spec.check);
  write_metrics(out, spec.metrics);
  write_device_table(out, spec);
  return out;
}

}  // namespace spec_internal

std::string spec_to_toml(const KernelSpec& spec) {
  return spec_internal::spec_to_toml_text(spec, spec_internal::SourcePath::Absolute);
}

}  // namespace tuna
