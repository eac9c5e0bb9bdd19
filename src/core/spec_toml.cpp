// spec.toml -> KernelSpec. The schema lives here; typed reads in spec_toml_section.*, the
// checks that do not depend on TOML (shared with validate_spec) in spec_check.*.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/spec_check.hpp"
#include "core/spec_device.hpp"
#include "core/spec_diag.hpp"
#include "core/spec_toml_section.hpp"
#include "core/triton_options.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna {
namespace {

using spec_internal::did_you_mean;
using spec_internal::quoted_list;
using spec_internal::SpecError;
using spec_internal::SpecLocations;
using spec_internal::toml_type_phrase;
using spec_internal::TomlSection;

const std::vector<std::string> kTopLevel = {"kernel", "problem", "params",  "constraints",
                                            "args",   "launch",  "check",   "metrics",
                                            "device"};

const toml::table* table_at(const toml::table& root, std::string_view name,
                            const SpecLocations& loc) {
  const toml::node* node = root.get(name);
  if (!node) return nullptr;
  if (const auto* t = node->as_table()) return t;
  loc.fail(name, fmt::format("expected a table, got {}", toml_type_phrase(*node)),
           fmt::format("Write it as a table: [{}] on its own line, then its keys", name));
}

void parse_kernel(const toml::table& root, const std::filesystem::path& origin, KernelSpec& spec,
                  const SpecLocations& loc) {
  const toml::table* t = table_at(root, "kernel", loc);
  if (!t)
    loc.fail("kernel", "missing table [kernel]",
             "Start the spec with [kernel] and its name, source and entry (docs/spec.md)");
  const TomlSection s(*t, "kernel", loc);
  s.allow_only({"name", "backend", "source", "recording", "entry", "description", "flags",
                "define_format"});
  spec.name = s.required_string("name", "Add name = \"<kernel name>\"");
  spec.backend = s.string("backend").value_or("host");
  // A replay needs no source (it is only shown to the LLM); every other backend compiles it.
  const std::string source =
      spec.backend == "sim"
          ? s.string("source").value_or("")
          : s.required_string("source",
                              "Add source = \"<file>\", the kernel's source file relative to the "
                              "spec file");
  spec.entry =
      s.required_string("entry", "Add entry = \"<function name>\", the function tuna calls");
  spec.description = s.string("description").value_or("");
  spec.compiler_flags = s.strings("flags").value_or(std::vector<std::string>{});
  spec.define_format = s.string("define_format").value_or(spec.define_format);
  if (!source.empty())
    spec.source = std::filesystem::absolute(origin.parent_path() / source).lexically_normal();
  if (const auto recording = s.string("recording"); recording && !recording->empty())
    spec.recording =
        std::filesystem::absolute(origin.parent_path() / *recording).lexically_normal();
}

void parse_problem(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  const toml::table* t = table_at(root, "problem", loc);
  if (!t) return;
  for (const auto& [name, node] : spec_internal::entries_in_file_order(*t))
    spec.constants.set(name, spec_internal::value_from_node(*node, "problem." + name, loc));
}

std::vector<Value> parse_value_list(const TomlSection& s, const toml::array& array,
                                    const std::string& key) {
  std::vector<Value> values;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item_key = fmt::format("{}[{}]", key, i);
    Value v = spec_internal::value_from_node(*array.get(i), item_key, s.loc());
    auto family = [](const Value& x) {
      return x.is_string() ? "a string" : x.is_bool() ? "a boolean" : "a number";
    };
    if (!values.empty() && std::string_view(family(v)) != family(values.front()))
      s.loc().fail(item_key,
                   fmt::format("mixes kinds of values: {} is {}, but the first value is {}",
                               v.to_string(), family(v), family(values.front())),
                   "Give a parameter only strings, only numbers or only booleans");
    for (const auto& earlier : values) {
      if (earlier.kind() == v.kind() && earlier == v)
        s.loc().fail(item_key, fmt::format("value {} appears twice", v.to_string()),
                     "List every value once");
    }
    values.push_back(std::move(v));
  }
  if (values.empty()) s.loc().fail(key, "the list of values is empty", "Give at least one value");
  return values;
}

std::pair<std::int64_t, std::int64_t> parse_bounds(const TomlSection& s, std::string_view k) {
  const toml::node* node = s.find(k);
  const auto* array = node->as_array();
  const bool ok =
      array && array->size() == 2 && array->get(0)->is_integer() && array->get(1)->is_integer();
  if (!ok)
    s.loc().fail(
        s.key(k),
        array ? fmt::format("expected two integers [lo, hi], got {} element(s)", array->size())
              : fmt::format("expected two integers [lo, hi], got {}", toml_type_phrase(*node)),
        fmt::format("Write {} = [lo, hi] with integers (both ends included)", k));
  const std::int64_t lo = array->get(0)->as_integer()->get();
  const std::int64_t hi = array->get(1)->as_integer()->get();
  if (lo > hi)
    s.loc().fail(s.key(k), fmt::format("lo {} is greater than hi {}", lo, hi),
                 "Write the smaller bound first");
  return {lo, hi};
}

Parameter parse_range(const TomlSection& s, const std::string& name,
                      const std::string& description) {
  const auto [lo, hi] = parse_bounds(s, "range");
  std::int64_t step = 1;
  if (const toml::node* n = s.find("step")) {
    if (!n->is_integer()) s.wrong_type("step", *n, "an integer", "Write step = 2");
    step = n->as_integer()->get();
    if (step < 1)
      s.loc().fail(s.key("step"), fmt::format("step {} is below 1", step),
                   "Use a step of 1 or more");
  }
  // Computed in unsigned arithmetic: hi - lo overflows int64 for extreme bounds.
  const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  constexpr auto kMaxValues = static_cast<std::uint64_t>(Parameter::kMaxRangeValues);
  if (span / static_cast<std::uint64_t>(step) >= kMaxValues)
    s.loc().fail(s.key("range"), fmt::format("the range has more than {} values", kMaxValues),
                 "Narrow the range or take a larger step (or use pow2 = [lo, hi])");
  return Parameter::int_range(name, lo, hi, step, lo, description);
}

Parameter parse_pow2(const TomlSection& s, const std::string& name,
                     const std::string& description) {
  const auto [lo, hi] = parse_bounds(s, "pow2");
  auto is_pow2 = [](std::int64_t v) { return v >= 1 && (v & (v - 1)) == 0; };
  if (!is_pow2(lo) || !is_pow2(hi))
    s.loc().fail(s.key("pow2"), fmt::format("[{}, {}] are not both powers of two", lo, hi),
                 "Give bounds such as [1, 16]: powers of two, at least 1");
  return Parameter::pow2_range(name, lo, hi, lo, description);
}

Parameter parse_list(const TomlSection& s, const std::string& name, const toml::node& list,
                     const std::string& description) {
  const auto* array = list.as_array();
  if (!array) s.wrong_type("values", list, "an array", "Write values = [16, 32, 64]");
  std::vector<Value> values = parse_value_list(s, *array, s.key("values"));
  Value first = values.front();
  return Parameter::list(name, std::move(values), std::move(first), description);
}

Parameter parse_bool(const TomlSection& s, const std::string& name,
                     const std::string& description) {
  bool def = false;
  if (const toml::node* d = s.find("default")) {
    if (!d->is_boolean())
      s.wrong_type("default", *d, "a boolean", "Write default = true or default = false");
    def = d->as_boolean()->get();
  }
  return Parameter::boolean(name, def, description);
}

// Runs a Parameter factory; a UserError it raises (it has no file or line) gets the key's.
template <typename Factory>
Parameter located(const std::string& key, const SpecLocations& loc, Factory&& make) {
  try {
    return make();
  } catch (const SpecError&) {
    throw;
  } catch (const UserError& e) {
    loc.fail(key, e.what(), "");
  }
}

Parameter parse_param_table(const TomlSection& s, const std::string& name) {
  s.allow_only({"values", "range", "step", "pow2", "type", "default", "description"});
  const std::string description = s.string("description").value_or("");
  const std::optional<std::string> type = s.string("type");
  const std::vector<std::string> kTypes = {"bool", "int", "float", "string"};
  if (type && std::find(kTypes.begin(), kTypes.end(), *type) == kTypes.end())
    s.loc().fail(s.key("type"),
                 fmt::format("unknown type '{}'{}", *type, did_you_mean(*type, kTypes)),
                 "Use one of " + quoted_list(kTypes));
  const int forms =
      int(s.has("values")) + int(s.has("range")) + int(s.has("pow2")) + int(type == "bool");
  if (forms == 0)
    s.loc().fail(
        s.path(), "the parameter has no values",
        "Give one of values = [...], range = [lo, hi], pow2 = [lo, hi] or type = \"bool\"");
  if (forms > 1)
    s.loc().fail(s.path(), "the parameter gives its values more than one way",
                 "Keep only one of values, range, pow2 and type = \"bool\"");
  if (s.has("step") && !s.has("range"))
    s.loc().fail(s.key("step"), "step is only used with range",
                 "Remove step, or use range = [lo, hi]");
  Parameter p = located(s.path(), s.loc(), [&] {
    return type == "bool"   ? parse_bool(s, name, description)
           : s.has("range") ? parse_range(s, name, description)
           : s.has("pow2")  ? parse_pow2(s, name, description)
                            : parse_list(s, name, *s.find("values"), description);
  });
  // The factories get a default they accept; the declared one is checked by check_spec, which
  // reports it with its line like every other mistake.
  if (const toml::node* d = s.find("default"); d && type != "bool") {
    p.default_value = spec_internal::value_from_node(*d, s.key("default"), s.loc());
    if (const auto i = p.index_of(p.default_value); i >= 0)
      p.default_value = p.values[static_cast<std::size_t>(i)];  // 64.0 -> 64, as declared
  }
  const bool strings = p.values.front().is_string();
  const bool consistent = !type || *type == "bool" || (*type == "string") == strings;
  if (!consistent)
    s.loc().fail(
        s.key("type"),
        fmt::format("type is '{}' but the values are {}", *type, strings ? "strings" : "numbers"),
        "Make type match the values, or remove it");
  return p;
}

void parse_params(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  const toml::table* t = table_at(root, "params", loc);
  if (!t) return;  // check_spec reports that no parameter is declared
  for (const auto& [name, node] : spec_internal::entries_in_file_order(*t)) {
    const std::string key = "params." + name;
    ParameterSpec ps;
    ps.line = loc.line_of(key);
    if (const auto* table = node->as_table()) {
      ps.param = parse_param_table(TomlSection(*table, key, loc), name);
    } else if (const auto* array = node->as_array()) {  // shorthand: BM = [16, 32, 64]
      const toml::table empty;
      std::vector<Value> values = parse_value_list(TomlSection(empty, key, loc), *array, key);
      Value def = values.front();
      const std::string& param_name = name;  // clang 14 cannot capture structured bindings
      ps.param = located(key, loc, [&] { return Parameter::list(param_name, values, def); });
    } else {
      loc.fail(key, fmt::format("expected a table or an array, got {}", toml_type_phrase(*node)),
               fmt::format("Declare it like {} = {{ values = [16, 32], default = 16 }}", name));
    }
    spec.parameters.push_back(std::move(ps));
  }
}

void add_constraint(KernelSpec& spec, const std::string& name, const toml::node& node,
                    const std::string& key, const SpecLocations& loc) {
  const auto* text = node.as_string();
  if (!text)
    loc.fail(key, fmt::format("expected an expression in quotes, got {}", toml_type_phrase(node)),
             "Write the constraint as a string, e.g. \"M % BM == 0\"");
  Constraint c;
  c.expr = spec_internal::parse_expr_at(text->get(), key, loc);
  c.origin = fmt::format("{}:{}", loc.file(), loc.line_of(key));
  spec.constraints.push_back(std::move(c));
  spec.constraint_names.push_back(name);
}

void parse_constraints(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  const toml::node* node = root.get("constraints");
  if (!node) return;
  if (const auto* array = node->as_array()) {  // Kernel Tuner style: a list without names
    for (std::size_t i = 0; i < array->size(); ++i)
      add_constraint(spec, fmt::format("constraint_{}", i + 1), *array->get(i),
                     fmt::format("constraints[{}]", i), loc);
    return;
  }
  const toml::table* t = table_at(root, "constraints", loc);
  for (const auto& [name, value] : spec_internal::entries_in_file_order(*t))
    add_constraint(spec, name, *value, "constraints." + name, loc);
}

template <typename Enum>
std::optional<Enum> parse_enum(const TomlSection& s, std::string_view k,
                               std::optional<Enum> (*from_name)(std::string_view),
                               const std::vector<std::string>& names) {
  const auto text = s.string(k);
  if (!text) return std::nullopt;
  if (auto e = from_name(*text)) return e;
  s.loc().fail(s.key(k), fmt::format("unknown {} '{}'{}", k, *text, did_you_mean(*text, names)),
               "Use one of " + quoted_list(names));
}

// A data file's path as written, relative to the spec file's folder; absolute afterwards.
std::filesystem::path data_path(const TomlSection& s, std::string_view k,
                                const std::filesystem::path& origin) {
  const std::string text = s.required_string(k, "");
  if (text.empty())
    s.loc().fail(s.key(k), "the path is empty",
                 fmt::format("Write {} = \"<name>.npy\", relative to the spec file", k));
  return std::filesystem::absolute(origin.parent_path() / text).lexically_normal();
}

// init: written, or implied by `file` (a file to read is enough to ask for it).
std::optional<InitKind> parse_init(const TomlSection& s) {
  auto init = parse_enum<InitKind>(s, "init", init_kind_from_name,
                                   {"random", "zeros", "ones", "iota", "constant", "file"});
  if (!s.has("file")) return init;
  if (init && *init != InitKind::File)
    s.loc().fail(
        s.key("file"),
        fmt::format("file is read with init = \"file\", but init is '{}'", init_kind_name(*init)),
        "Remove file, or set init = \"file\"");
  return InitKind::File;
}

void parse_buffer_fill(const TomlSection& s, Argument& a, const std::filesystem::path& origin) {
  const auto init = parse_init(s);
  if (const toml::node* v = s.find("value")) {
    if (v->is_string())
      s.loc().fail(s.key("count"),
                   fmt::format("argument '{}' has both count and value = \"{}\": a scalar has no "
                               "count, and a buffer has no value expression",
                               a.name, v->as_string()->get()),
                   "Remove count to make it a scalar; to fill a buffer with one number use "
                   "init = \"constant\" and value = <number>");
    if (init && *init != InitKind::Constant)
      s.loc().fail(s.key("value"),
                   fmt::format("value is the fill value of init = \"constant\", but init is '{}'",
                               init_kind_name(*init)),
                   "Remove value, or set init = \"constant\"");
    a.init = InitKind::Constant;
    a.init_value = *s.number("value");
  } else {
    a.init = init.value_or(a.role == ArgRole::Output ? InitKind::Zeros : InitKind::Random);
    if (a.init == InitKind::Constant)
      s.loc().fail(s.key("init"), "init = \"constant\" needs the fill value",
                   "Add value = <number>");
    if (a.init == InitKind::File && !s.has("file"))
      s.loc().fail(s.key("init"), "init = \"file\" needs the file to read",
                   "Add file = \"<name>.npy\" (a NumPy array, or raw little-endian elements for "
                   "any other extension), relative to the spec file");
    if (a.init == InitKind::File) a.file = data_path(s, "file", origin);
  }
  if (const toml::node* r = s.find("range")) {
    const auto* array = r->as_array();
    const bool ok =
        array && array->size() == 2 && array->get(0)->is_number() && array->get(1)->is_number();
    if (!ok) s.wrong_type("range", *r, "two numbers [lo, hi]", "Write range = [-1.0, 1.0]");
    if (a.init != InitKind::Random)
      s.loc().fail(s.key("range"), "range is only used with init = \"random\"",
                   "Remove range, or set init = \"random\"");
    a.random_lo = array->get(0)->value<double>().value_or(0);
    a.random_hi = array->get(1)->value<double>().value_or(0);
  }
}

// A buffer has a count, or takes it from a data file (`init = "file"`, or an output's expected).
bool is_buffer_table(const TomlSection& s) {
  return s.has("count") || s.has("file") || s.has("expected") || s.string("init") == "file";
}

Argument parse_argument(const TomlSection& s, const std::filesystem::path& origin) {
  s.allow_only(
      {"name", "type", "count", "value", "role", "init", "range", "file", "expected", "symbol"});
  Argument a;
  a.name = s.required_string("name", "Name the argument: name = \"A\"");
  a.line = s.loc().line_of(s.path());
  const std::string type = s.required_string("type", "Give its element type, e.g. type = \"f32\"");
  const std::vector<std::string> kTypes = {"f16", "f32", "f64", "i8",  "i16", "i32",
                                           "i64", "u8",  "u16", "u32", "u64"};
  const auto dtype = dtype_from_name(type);
  if (!dtype)
    s.loc().fail(s.key("type"),
                 fmt::format("unknown type '{}'{}", type, did_you_mean(type, kTypes)),
                 "Use one of " + quoted_list(kTypes) + " (or a C name such as float, int)");
  a.dtype = *dtype;
  a.role =
      parse_enum<ArgRole>(s, "role", arg_role_from_name, {"input", "output", "inout", "constant"})
          .value_or(ArgRole::Input);
  if (s.has("symbol")) {
    a.symbol = s.required_string("symbol", "");
    if (a.symbol.empty())
      s.loc().fail(s.key("symbol"), "the symbol is empty",
                   "Name the global the data is copied into (symbol = \"d_filter\"), or remove "
                   "symbol to use the argument's name");
  } else if (a.role == ArgRole::Constant) {
    a.symbol = a.name;  // a constant argument fills the global named after it by default
  }
  if (is_buffer_table(s)) {
    a.is_buffer = true;
    if (auto count = s.expr("count")) a.count = std::move(*count);
    parse_buffer_fill(s, a, origin);
    if (s.has("expected")) a.expected = data_path(s, "expected", origin);
    return a;
  }
  if (!s.has("value"))
    s.loc().fail(s.key("count"), fmt::format("argument '{}' has no count", a.name),
                 "A buffer needs count = \"<number of elements>\" (or file = \"<name>.npy\" to "
                 "take it from a file); a scalar needs value = <expression> instead");
  if (a.role == ArgRole::Constant)
    s.loc().fail(s.key("role"),
                 fmt::format("'{}' has role = \"constant\" but no count: a constant argument is "
                             "a buffer, whose elements are copied into the global '{}'",
                             a.name, constant_symbol(a)),
                 "Add count = 1 for a single value (value = <number> then fills it), or count = "
                 "\"<elements>\" or file = \"<name>.npy\" for an array");
  for (const char* k : {"role", "init", "range", "symbol"}) {
    if (s.has(k))
      s.loc().fail(s.key(k),
                   fmt::format("'{}' is only for buffers, and '{}' has no count, so it is a scalar",
                               k, a.name),
                   "Remove it, or add count = \"<elements>\" to make the argument a buffer");
  }
  a.is_buffer = false;
  a.value = *s.expr("value");
  return a;
}

void parse_args(const toml::table& root, const std::filesystem::path& origin, KernelSpec& spec,
                const SpecLocations& loc) {
  const toml::node* node = root.get("args");
  if (!node) return;
  const auto* array = node->as_array();
  if (!array)
    loc.fail("args", fmt::format("expected an array of tables, got {}", toml_type_phrase(*node)),
             "Declare each argument in its own [[args]] table");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string key = fmt::format("args[{}]", i);
    const auto* t = array->get(i)->as_table();
    if (!t)
      loc.fail(key, fmt::format("expected a table, got {}", toml_type_phrase(*array->get(i))),
               "Declare each argument in its own [[args]] table");
    spec.arguments.push_back(parse_argument(TomlSection(*t, key, loc), origin));
  }
}

std::array<Expr, 3> parse_dims(const TomlSection& s, std::string_view k) {
  std::array<Expr, 3> dims = {Expr::constant(1), Expr::constant(1), Expr::constant(1)};
  const toml::node* node = s.find(k);
  if (!node) return dims;
  const auto* array = node->as_array();
  if (!array) {  // a single expression: the x dimension
    dims[0] = spec_internal::expr_from_node(*node, s.key(k), s.loc());
    return dims;
  }
  if (array->empty() || array->size() > 3)
    s.loc().fail(s.key(k), fmt::format("expected 1 to 3 entries (x, y, z), got {}", array->size()),
                 fmt::format("Write {} = [x, y, z]; missing entries are 1", k));
  for (std::size_t d = 0; d < array->size(); ++d)
    dims[d] =
        spec_internal::expr_from_node(*array->get(d), fmt::format("{}[{}]", s.key(k), d), s.loc());
  return dims;
}

void parse_launch(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  // Defaults are filled in even without [launch], so callers never meet an empty expression.
  spec.launch.grid = spec.launch.block = {Expr::constant(1), Expr::constant(1), Expr::constant(1)};
  spec.launch.shared_memory_bytes = Expr::constant(0);
  const toml::table* t = table_at(root, "launch", loc);
  if (!t) return;
  const TomlSection s(*t, "launch", loc);
  if (launch_is_grid_only(spec.backend)) {
    for (const char* key : kTritonDecidedLaunchKeys)
      if (t->contains(key))
        s.loc().fail(s.key(key),
                     fmt::format("the triton backend takes no launch.{}: Triton decides the block "
                                 "(num_warps warps of 32 threads) and the shared memory, and the "
                                 "grid counts programs",
                                 key),
                     fmt::format("Remove {}; tune the block through a parameter named num_warps",
                                 key));
  }
  s.allow_only({"grid", "block", "shared_memory", "convention"});
  if (auto convention = s.string("convention")) {
    if (*convention == "global")
      spec.launch.convention = LaunchConvention::Global;
    else if (*convention != "blocks")
      s.loc().fail(s.key("convention"), fmt::format("unknown convention '{}'", *convention),
                   "Write \"blocks\" (grid counts blocks, the default) or \"global\" (grid is "
                   "the global size in work-items)");
  }
  spec.launch.grid = parse_dims(s, "grid");
  spec.launch.block = parse_dims(s, "block");
  if (auto shm = s.expr("shared_memory")) spec.launch.shared_memory_bytes = std::move(*shm);
}

void parse_check(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  // Expected outputs given with the arguments are what they are for; this holds without [check].
  const bool has_expected = std::any_of(spec.arguments.begin(), spec.arguments.end(),
                                        [](const Argument& a) { return !a.expected.empty(); });
  spec.check.reference = has_expected ? Reference::Expected : Reference::DefaultConfig;
  const toml::table* t = table_at(root, "check", loc);
  if (!t) return;
  const TomlSection s(*t, "check", loc);
  s.allow_only({"reference", "kernel", "atol", "rtol"});
  spec.check.reference_entry = s.string("kernel").value_or("");
  const auto reference = parse_enum<Reference>(s, "reference", reference_from_name,
                                               {"default", "kernel", "none", "expected"});
  // Naming a reference kernel is enough to ask for it.
  if (!spec.check.reference_entry.empty()) spec.check.reference = Reference::Kernel;
  spec.check.reference = reference.value_or(spec.check.reference);
  spec.check.atol = s.number("atol").value_or(spec.check.atol);
  spec.check.rtol = s.number("rtol").value_or(spec.check.rtol);
}

void parse_metrics(const toml::table& root, KernelSpec& spec, const SpecLocations& loc) {
  const toml::table* t = table_at(root, "metrics", loc);
  if (!t) return;
  const TomlSection s(*t, "metrics", loc);
  s.allow_only({"flops", "bytes"});
  if (auto e = s.expr("flops")) spec.metrics.flops = std::move(*e);
  if (auto e = s.expr("bytes")) spec.metrics.bytes = std::move(*e);
}

toml::table parse_toml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    const auto& pos = e.source().begin;
    throw UserError(
        fmt::format("{}:{}: TOML syntax error at column {}: {}. Fix the TOML syntax "
                    "there (https://toml.io describes it)",
                    file, pos.line, pos.column, e.description()));
  }
}

}  // namespace

KernelSpec parse_spec(std::string_view toml_text, const std::filesystem::path& origin) {
  const std::string file = origin.empty() ? std::string("<spec>") : origin.string();
  const toml::table root = parse_toml(toml_text, file);
  SpecLocations loc(file, "");
  spec_internal::record_lines(root, "", loc);
  TomlSection(root, "", loc).allow_only(kTopLevel);

  KernelSpec spec;
  spec.spec_path = origin;
  parse_kernel(root, origin, spec, loc);
  parse_problem(root, spec, loc);
  parse_params(root, spec, loc);
  parse_constraints(root, spec, loc);
  parse_args(root, origin, spec, loc);
  parse_launch(root, spec, loc);
  parse_check(root, spec, loc);
  parse_metrics(root, spec, loc);
  spec_internal::parse_device_table(root, spec, loc);
  spec_internal::check_spec(spec, loc);
  return spec;
}

KernelSpec load_spec(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    throw UserError(fmt::format("{}: cannot read the spec file: {}. {}", path.string(),
                                exists ? "permission denied or not a file" : "no such file",
                                exists ? "Check its permissions" : "Check the path"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_spec(text.str(), path);
}

}  // namespace tuna
