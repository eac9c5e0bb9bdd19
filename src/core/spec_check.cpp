#include "core/spec_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <string_view>

#include "core/constant_role.hpp"
#include "core/spec_files.hpp"
#include "tuna/errors.hpp"

namespace tuna::spec_internal {
namespace {

constexpr std::string_view kDevicePrefix = "device.";
const std::vector<std::string> kBackends = {"host", "cuda", "opencl", "triton", "sim"};

bool is_device_name(std::string_view name) { return name.rfind(kDevicePrefix, 0) == 0; }

bool reads_device(const Expr& e) {
  return std::any_of(e.names().begin(), e.names().end(),
                     [](const std::string& n) { return is_device_name(n); });
}

bool is_kernel_name(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string arg_key(std::size_t i) { return fmt::format("args[{}]", i); }

// What an expression of the spec is for, and whether it may read parameters.
struct ExprSite {
  std::string key;
  const Expr* expr;
  bool reads_params;  // false for buffer sizes: buffers are allocated once per run
};

std::vector<ExprSite> expression_sites(const KernelSpec& spec) {
  std::vector<ExprSite> sites;
  for (std::size_t i = 0; i < spec.constraints.size(); ++i)
    sites.push_back({"constraints." + spec.constraint_name(i), &spec.constraints[i].expr, true});
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    const auto& a = spec.arguments[i];
    if (!a.count.empty()) sites.push_back({arg_key(i) + ".count", &a.count, false});
    if (!a.value.empty()) sites.push_back({arg_key(i) + ".value", &a.value, true});
  }
  const char* axes[] = {"grid", "block"};
  for (int g = 0; g < 2; ++g) {
    const auto& dims = g == 0 ? spec.launch.grid : spec.launch.block;
    for (std::size_t d = 0; d < 3; ++d) {
      if (!dims[d].empty())
        sites.push_back({fmt::format("launch.{}[{}]", axes[g], d), &dims[d], true});
    }
  }
  if (!spec.launch.shared_memory_bytes.empty())
    sites.push_back({"launch.shared_memory", &spec.launch.shared_memory_bytes, true});
  if (!spec.metrics.flops.empty()) sites.push_back({"metrics.flops", &spec.metrics.flops, true});
  if (!spec.metrics.bytes.empty()) sites.push_back({"metrics.bytes", &spec.metrics.bytes, true});
  return sites;
}

std::vector<std::string> param_names(const KernelSpec& spec) {
  std::vector<std::string> names;
  for (const auto& p : spec.parameters) names.push_back(p.param.name);
  return names;
}

bool is_param(const KernelSpec& spec, std::string_view name) {
  return std::any_of(spec.parameters.begin(), spec.parameters.end(),
                     [&](const ParameterSpec& p) { return p.param.name == name; });
}

std::string describe_value(const Value& v) {
  return v.is_string() ? fmt::format("\"{}\"", v.as_string()) : v.to_string();
}

// A replay reads its recording from `recording`; `source` is the kernel shown to the LLM. Specs
// written before the two were apart named the recording in `source`: say how to move it.
void check_recording_key(const KernelSpec& spec, const SpecLocations& loc) {
  if (spec.backend != "sim") {
    if (!spec.recording.empty())
      loc.fail("kernel.recording",
               fmt::format("a recording is replayed by the sim backend, not by '{}'",
                           spec.backend),
               "Remove recording, or set backend = \"sim\"");
    return;
  }
  if (!spec.recording.empty()) return;
  const std::string name = spec.source.filename().string();
  const bool looks_recorded = name.ends_with(".json") || name.ends_with(".json.gz");
  loc.fail("kernel.recording", "missing required key 'recording' (the sim backend's recording)",
           looks_recorded
               ? fmt::format("This spec names the recording '{}' as its source, as older tuna "
                             "versions wrote it: rename source to recording, and set source to "
                             "the kernel's real source file if you have it (the LLM reads it)",
                             name)
               : std::string("Add recording = \"<file.json.gz>\", the recorded search space, "
                             "relative to the spec file"));
}

void check_kernel(const KernelSpec& spec, const SpecLocations& loc) {
  if (spec.name.empty())
    loc.fail("kernel.name", "missing required key 'name'", "Add name = \"<kernel name>\"");
  if (!is_kernel_name(spec.name))
    loc.fail("kernel.name", fmt::format("'{}' is not a valid kernel name", spec.name),
             "Use letters, digits, '_' and '-', starting with a letter or '_'");
  if (std::find(kBackends.begin(), kBackends.end(), spec.backend) == kBackends.end())
    loc.fail(
        "kernel.backend",
        fmt::format("unknown backend '{}'{}", spec.backend, did_you_mean(spec.backend, kBackends)),
        "Use one of " + quoted_list(kBackends));
  if (spec.source.empty() && spec.backend != "sim")
    loc.fail("kernel.source", "missing required key 'source'",
             "Add source = \"<file>\", the kernel's source file relative to the spec file");
  check_recording_key(spec, loc);
  if (spec.entry.empty())
    loc.fail("kernel.entry", "missing required key 'entry'",
             "Add entry = \"<function name>\", the function tuna calls");
  if (spec.define_format.find("{name}") == std::string::npos)
    loc.fail("kernel.define_format",
             fmt::format("'{}' does not contain {{name}}", spec.define_format),
             "Write it like \"-D{name}={value}\"; {name} and {value} are replaced for each "
             "parameter");
}

void check_entry_placeholders(const KernelSpec& spec, const SpecLocations& loc) {
  const std::string& e = spec.entry;
  for (std::size_t open = e.find('{'); open != std::string::npos; open = e.find('{', open + 1)) {
    const std::size_t close = e.find('}', open);
    if (close == std::string::npos)
      loc.fail("kernel.entry",
               fmt::format("'{{' at position {} of '{}' is never closed", open + 1, e),
               "Write placeholders as {NAME}, where NAME is a parameter");
    const std::string name = e.substr(open + 1, close - open - 1);
    if (!is_param(spec, name))
      loc.fail("kernel.entry",
               fmt::format("placeholder {{{}}} is not a parameter{}", name,
                           did_you_mean(name, param_names(spec))),
               "Placeholders name parameters declared in [params], e.g. {BM}");
  }
}

void check_constants(const KernelSpec& spec, const SpecLocations& loc) {
  for (const auto& [name, value] : spec.constants.values()) {
    const std::string key = "problem." + name;
    if (!is_identifier(name))
      loc.fail(key, fmt::format("'{}' is not a valid constant name", name),
               "Use letters, digits and '_', starting with a letter or '_'");
    if (is_param(spec, name))
      loc.fail(key, fmt::format("'{}' is both a problem constant and a parameter", name),
               "Rename one of them");
  }
}

void check_parameter(const ParameterSpec& ps, const SpecLocations& loc) {
  const Parameter& p = ps.param;
  const std::string key = "params." + p.name;
  if (!is_identifier(p.name) || p.name == "device")
    loc.fail(key, fmt::format("'{}' is not a valid parameter name", p.name),
             "Use letters, digits and '_', starting with a letter or '_' (and not 'device'); "
             "the name becomes a preprocessor define");
  if (p.values.empty()) loc.fail(key, "the parameter has no values", "Give it at least one value");
  if (p.index_of(p.default_value) < 0) {
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < p.values.size() && i < 12; ++i)
      shown.push_back(p.values[i].to_string());
    loc.fail(key + ".default",
             fmt::format("default {} is not one of the parameter's values ({}{})",
                         describe_value(p.default_value), fmt::join(shown, ", "),
                         p.values.size() > shown.size() ? ", ..." : ""),
             "Pick the default among the values, or add it to them");
  }
}

void check_parameters(const KernelSpec& spec, const SpecLocations& loc) {
  if (spec.parameters.empty())
    loc.fail("params", "the spec declares no tunable parameter",
             "Add a [params] table with at least one parameter, e.g. BM = { values = [32, 64] }");
  std::set<std::string, std::less<>> seen;
  for (const auto& ps : spec.parameters) {
    check_parameter(ps, loc);
    if (!seen.insert(ps.param.name).second)
      loc.fail("params." + ps.param.name,
               fmt::format("parameter '{}' is declared twice", ps.param.name),
               "Remove or rename one of them");
  }
}

void check_names(const KernelSpec& spec, const ExprSite& site, const SpecLocations& loc) {
  if (site.expr->empty()) loc.fail(site.key, "the expression is empty", "Write an expression");
  for (const auto& name : site.expr->names()) {
    if (is_device_name(name)) {
      if (name.size() == kDevicePrefix.size())
        loc.fail(site.key, "'device.' names no device fact",
                 "Write the fact's name after it, e.g. device.max_threads_per_block");
      continue;
    }
    if (is_param(spec, name)) {
      if (!site.reads_params)
        loc.fail(site.key,
                 fmt::format("the element count reads parameter '{}', but buffer sizes must not "
                             "depend on parameters",
                             name),
                 "tuna allocates each buffer once per run: size it with problem constants and "
                 "device facts only (e.g. the largest size any configuration needs)");
      continue;
    }
    if (spec.constants.contains(name)) continue;
    std::vector<std::string> known = param_names(spec);
    for (const auto& [c, v] : spec.constants.values()) known.push_back(c);
    loc.fail(site.key,
             fmt::format("unknown name '{}' in '{}'{}", name, site.expr->text(),
                         did_you_mean(name, known)),
             "Names must be parameters, constants of [problem], or device facts such as "
             "device.max_threads_per_block");
  }
}

// Evaluates the expressions that read no device fact for the default config, so that type
// errors and impossible sizes show up when the spec is loaded.
void check_values(const ExprSite& site, const Env& defaults, const SpecLocations& loc) {
  if (reads_device(*site.expr)) return;
  Value v;
  try {
    v = site.expr->evaluate(defaults);
  } catch (const UserError& e) {
    loc.fail(site.key,
             fmt::format("'{}' cannot be evaluated for the default configuration: {}",
                         site.expr->text(), e.what()),
             "Fix the expression (docs/expressions.md describes the language)");
  }
  const bool is_count = site.key.ends_with(".count");
  const bool is_geometry = site.key.starts_with("launch.");
  if (!is_count && !is_geometry) return;
  const bool integral = v.is_int() || (v.is_float() && std::floor(v.as_double()) == v.as_double());
  const std::int64_t minimum = site.key == "launch.shared_memory" ? 0 : 1;
  if (!v.is_number() || !integral || v.as_double() < static_cast<double>(minimum))
    loc.fail(site.key,
             fmt::format("'{}' is {} for the default configuration, but must be an integer of "
                         "at least {}",
                         site.expr->text(), describe_value(v), minimum),
             is_count ? "A buffer holds at least one element" : "Fix the launch geometry");
}

// How a buffer's data files fit its init and role (the files themselves: spec_files.hpp).
void check_buffer_files(const Argument& a, const std::string& key, const SpecLocations& loc) {
  if (a.init == InitKind::File && a.file.empty())
    loc.fail(key + ".init", "init = \"file\" needs the file to read",
             "Add file = \"<name>.npy\" (a NumPy array, or raw little-endian elements for any "
             "other extension), relative to the spec file");
  if (a.init != InitKind::File && !a.file.empty())
    loc.fail(
        key + ".file",
        fmt::format("file is read with init = \"file\", but init is '{}'", init_kind_name(a.init)),
        "Remove file, or set init = \"file\"");
  if (a.init == InitKind::File && a.role == ArgRole::Output)
    loc.fail(key + ".init",
             fmt::format("'{}' is an output: it starts every run from a poison pattern, so its "
                         "file would never be read",
                         a.name),
             "Set role = \"inout\" to start from the file's contents, or remove init and file "
             "(an output's size can come from count or from expected)");
  if (!a.expected.empty() && a.role == ArgRole::Constant)
    loc.fail(key + ".expected",
             fmt::format("'{}' has role = \"constant\": its data is copied into the global '{}' "
                         "and never read back, so there is nothing to compare with the expected "
                         "file",
                         a.name, constant_symbol(a)),
             "Remove expected; give the outputs the kernel writes their expected files");
  if (!a.expected.empty() && a.role == ArgRole::Input)
    loc.fail(key + ".expected",
             fmt::format("'{}' is an input, so there is no output of it to compare with the "
                         "expected file",
                         a.name),
             "Set role = \"output\" (or \"inout\") if the kernel writes it, or remove expected");
}

// role = "constant": a buffer, on a backend that can fill a global, with a symbol of its own.
void check_constant_argument(const KernelSpec& spec, std::size_t i, const SpecLocations& loc) {
  const Argument& a = spec.arguments[i];
  const std::string key = arg_key(i);
  if (a.role != ArgRole::Constant) {
    if (!a.symbol.empty())
      loc.fail(key + ".symbol",
               fmt::format("symbol names the global a constant argument is copied into, but "
                           "'{}' has role '{}'",
                           a.name, arg_role_name(a.role)),
               "Set role = \"constant\" to copy the data into that global instead of passing it "
               "to the kernel, or remove symbol");
    return;
  }
  if (!honours_constants(spec.backend))
    loc.fail(key + ".role",
             fmt::format("constant-memory arguments (role = \"constant\") are copied into a "
                         "global of the compiled code, which the cuda and host backends support; "
                         "the {} backend does not",
                         spec.backend),
             constant_role_fix(spec.backend, a));
  const std::string& symbol = constant_symbol(a);
  // The global is the name unless a symbol says otherwise (the parser stores the name as the
  // symbol when none is written): point at the line that spells it.
  const std::string symbol_key = key + (symbol == a.name ? ".name" : ".symbol");
  if (!is_identifier(symbol))
    loc.fail(symbol_key, fmt::format("'{}' is not a valid symbol name", symbol),
             "Name a global declared outside any namespace and class, such as d_filter "
             "(letters, digits and '_', starting with a letter or '_')");
  for (std::size_t j = 0; j < i; ++j) {
    const Argument& other = spec.arguments[j];
    if (other.role != ArgRole::Constant || constant_symbol(other) != symbol) continue;
    loc.fail(symbol_key,
             fmt::format("'{}' and {} ('{}') are both copied into the global '{}'", a.name,
                         arg_key(j), other.name, symbol),
             "Copy one argument into each global: remove one of them, or give it another symbol");
  }
}

void check_argument(const KernelSpec& spec, std::size_t i, const SpecLocations& loc) {
  const Argument& a = spec.arguments[i];
  const std::string key = arg_key(i);
  if (!is_identifier(a.name))
    loc.fail(key + ".name",
             a.name.empty() ? std::string("missing required key 'name'")
                            : fmt::format("'{}' is not a valid argument name", a.name),
             "Name each argument with letters, digits and '_', starting with a letter or '_'");
  for (std::size_t j = 0; j < i; ++j) {
    if (spec.arguments[j].name != a.name) continue;
    const int line = loc.line_of(arg_key(j));
    loc.fail(key + ".name",
             fmt::format("duplicate argument name '{}' (also {}{})", a.name, arg_key(j),
                         line > 0 ? fmt::format(", line {}", line) : std::string()),
             "Give every argument its own name");
  }
  if (a.is_buffer) {
    if (a.count.empty() && a.init != InitKind::File && a.expected.empty())
      loc.fail(key, fmt::format("buffer '{}' has no count", a.name),
               "Add count = \"<number of elements>\" for a buffer, or value = <expression> "
               "(and no count) for a scalar");
    check_buffer_files(a, key, loc);
    if (!a.value.empty())
      loc.fail(key + ".value",
               fmt::format("buffer '{}' has a value expression; only scalars have one", a.name),
               "To fill a buffer with one number use init = \"constant\" and value = <number>");
    if (a.init == InitKind::Random &&
        !(std::isfinite(a.random_lo) && std::isfinite(a.random_hi) && a.random_lo < a.random_hi))
      loc.fail(key + ".range",
               fmt::format("random range [{}, {}] is empty", a.random_lo, a.random_hi),
               "Give range = [lo, hi] with lo < hi");
    if (a.init == InitKind::Constant && !std::isfinite(a.init_value))
      loc.fail(key + ".value", "the constant fill value is not a finite number",
               "Give a finite number");
  } else {
    if (!a.count.empty())
      loc.fail(key + ".count",
               fmt::format("scalar '{}' has a count; scalars are passed by value", a.name),
               "Remove count for a scalar, or remove value to make it a buffer");
    if (a.value.empty())
      loc.fail(key + ".value", fmt::format("scalar '{}' has no value", a.name),
               "Add value = <expression or number>");
    if (a.role == ArgRole::Constant)
      loc.fail(key + ".role",
               fmt::format("'{}' has role = \"constant\" but is a scalar: a constant argument "
                           "is a buffer, whose elements are copied into the global '{}'",
                           a.name, constant_symbol(a)),
               "Make it a buffer of one element (count = 1, value = <number>)");
    if (a.role != ArgRole::Input)
      loc.fail(key + ".role",
               fmt::format("scalar '{}' is passed by value, so it can only be an input", a.name),
               "Remove role, or make the argument a buffer with count = ...");
    if (!a.file.empty() || !a.expected.empty())
      loc.fail(key + (a.file.empty() ? ".expected" : ".file"),
               fmt::format("scalar '{}' is passed by value and has no data file", a.name),
               "Remove it, or make the argument a buffer");
  }
}

void check_arguments(const KernelSpec& spec, const SpecLocations& loc) {
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    check_argument(spec, i, loc);
    check_constant_argument(spec, i, loc);
  }
}

// Expected files and reference = "expected" come together: one without the other is a mistake
// that would silently check against something else (or nothing).
void check_expected_reference(const KernelSpec& spec, const SpecLocations& loc) {
  const auto with_expected = std::find_if(spec.arguments.begin(), spec.arguments.end(),
                                          [](const Argument& a) { return !a.expected.empty(); });
  const bool expects = spec.check.reference == Reference::Expected;
  if (expects && with_expected == spec.arguments.end())
    loc.fail("check.reference",
             "reference = \"expected\" compares outputs with their expected files, but no "
             "argument has expected = \"<file>\"",
             "Add expected = \"<name>.npy\" to the output buffers (relative to the spec file), "
             "or choose another reference");
  if (!expects && with_expected != spec.arguments.end())
    loc.fail(
        arg_key(static_cast<std::size_t>(with_expected - spec.arguments.begin())) + ".expected",
        fmt::format("expected files are compared only with [check] reference = "
                    "\"expected\", but reference is '{}'",
                    reference_name(spec.check.reference)),
        "Set reference = \"expected\" in [check] (or leave reference out: with expected files "
        "that is its default), or remove expected");
}

void check_correctness(const KernelSpec& spec, const SpecLocations& loc) {
  const auto& c = spec.check;
  if (c.reference == Reference::Kernel && spec.backend == "triton")
    loc.fail("check.reference",
             "the triton backend has no reference kernels (reference = \"kernel\")",
             "Compare with the default config (reference = \"default\"), or with expected "
             "output files (reference = \"expected\" and expected = \"<file>\" on each output)");
  if (c.reference == Reference::Kernel && c.reference_entry.empty())
    loc.fail("check.kernel", "reference = \"kernel\" needs the reference kernel's name",
             "Add kernel = \"<function in the same source, with the same arguments>\"");
  if (c.reference != Reference::Kernel && !c.reference_entry.empty())
    loc.fail("check.kernel",
             fmt::format("a reference kernel is given but reference is '{}'",
                         reference_name(c.reference)),
             "Set reference = \"kernel\", or remove kernel");
  if (!(std::isfinite(c.atol) && c.atol >= 0))
    loc.fail("check.atol", fmt::format("atol {} is not a number >= 0", c.atol),
             "Give an absolute tolerance such as 1e-5");
  if (!(std::isfinite(c.rtol) && c.rtol >= 0))
    loc.fail("check.rtol", fmt::format("rtol {} is not a number >= 0", c.rtol),
             "Give a relative tolerance such as 1e-4");
  check_expected_reference(spec, loc);
  if (c.reference == Reference::None) return;
  const bool has_output =
      std::any_of(spec.arguments.begin(), spec.arguments.end(), is_read_back);
  if (!has_output)
    loc.fail("check.reference",
             "results are checked, but no buffer argument is an output, so there is nothing to "
             "compare",
             "Mark the buffers the kernel writes with role = \"output\" (or \"inout\"), or set "
             "reference = \"none\" in [check]");
}

void check_constraint_names(const KernelSpec& spec, const SpecLocations& loc) {
  if (spec.constraint_names.size() > spec.constraints.size())
    loc.fail("constraints", "there are more constraint names than constraints",
             "Give constraint_names at most one name per constraint");
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < spec.constraints.size(); ++i) {
    const std::string name = spec.constraint_name(i);
    if (name.empty())
      loc.fail(fmt::format("constraints[{}]", i), "the constraint's name is empty",
               "Name every constraint");
    if (!seen.insert(name).second)
      loc.fail("constraints." + name, fmt::format("constraint '{}' is declared twice", name),
               "Give every constraint its own name");
  }
}

Env default_env(const KernelSpec& spec) {
  Env env = spec.constants;
  for (const auto& ps : spec.parameters) env.set(ps.param.name, ps.param.default_value);
  return env;
}

// Checks the default and the feasibility of the constraints that read no device fact: they
// hold the same on every device.
void check_device_free_space(const KernelSpec& spec, const SpecLocations& loc) {
  std::vector<Parameter> params;
  for (const auto& ps : spec.parameters) params.push_back(ps.param);
  std::vector<Constraint> constraints;
  std::vector<std::size_t> spec_index;
  for (std::size_t i = 0; i < spec.constraints.size(); ++i) {
    if (reads_device(spec.constraints[i].expr)) continue;
    constraints.push_back(spec.constraints[i]);
    spec_index.push_back(i);
  }
  if (constraints.empty()) return;
  Space space;
  try {
    space = Space(std::move(params), std::move(constraints), spec.constants);
  } catch (const UserError& e) {  // names were checked above, so this is rare: keep the file
    loc.fail("constraints", e.what(), "");
  }
  check_space_usable(spec, space, spec_index, spec.constants, loc);
}

void check_file(const std::filesystem::path& path, const char* key, const char* what,
                const KernelSpec& spec, const SpecLocations& loc) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return;
  const bool exists = std::filesystem::exists(path, ec);
  loc.fail(key,
           fmt::format("{} '{}' {}", what, path.string(),
                       exists ? "is not a regular file" : "does not exist"),
           spec_path_fix(spec));
}

void check_source(const KernelSpec& spec, const SpecLocations& loc) {
  if (!spec.source.empty()) check_file(spec.source, "kernel.source", "source file", spec, loc);
  if (spec.backend == "sim") check_file(spec.recording, "kernel.recording", "recording", spec, loc);
}

}  // namespace

void check_device_names(const KernelSpec& spec, const Env& device_env, const SpecLocations& loc) {
  std::vector<std::string> facts;
  for (const auto& [name, v] : device_env.values()) {
    if (is_device_name(name)) facts.push_back(name);
  }
  for (const auto& site : expression_sites(spec)) {
    for (const auto& name : site.expr->names()) {
      if (!is_device_name(name) || device_env.contains(name)) continue;
      loc.fail(site.key,
               fmt::format("'{}' is not a fact of this device{}", name, did_you_mean(name, facts)),
               facts.empty() ? std::string("This backend reports no device facts")
                             : "Known facts: " + fmt::format("{}", fmt::join(facts, ", ")));
    }
  }
}

void check_spec(const KernelSpec& spec, const SpecLocations& loc) {
  check_kernel(spec, loc);
  check_parameters(spec, loc);
  check_entry_placeholders(spec, loc);
  check_constants(spec, loc);
  check_constraint_names(spec, loc);
  check_arguments(spec, loc);
  check_correctness(spec, loc);
  const auto sites = expression_sites(spec);
  for (const auto& site : sites) check_names(spec, site, loc);
  check_device_free_space(spec, loc);
  const Env defaults = default_env(spec);
  for (const auto& site : sites) {
    if (!site.key.starts_with("constraints.")) check_values(site, defaults, loc);
  }
  check_source(spec, loc);
  check_data_files(spec, spec.constants, loc);
}

}  // namespace tuna::spec_internal
