#include "tuna/spec.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

#include "base/bulk_digest.hpp"
#include "base/hash.hpp"
#include "core/array_file.hpp"
#include "core/spec_check.hpp"
#include "core/spec_diag.hpp"
#include "core/spec_files.hpp"
#include "core/spec_write.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

struct DtypeInfo {
  Dtype dtype;
  const char* name;
  std::size_t size;
};
constexpr std::array<DtypeInfo, 11> kDtypes = {{{Dtype::F16, "f16", 2},
                                                {Dtype::F32, "f32", 4},
                                                {Dtype::F64, "f64", 8},
                                                {Dtype::I8, "i8", 1},
                                                {Dtype::I16, "i16", 2},
                                                {Dtype::I32, "i32", 4},
                                                {Dtype::I64, "i64", 8},
                                                {Dtype::U8, "u8", 1},
                                                {Dtype::U16, "u16", 2},
                                                {Dtype::U32, "u32", 4},
                                                {Dtype::U64, "u64", 8}}};

// C and CUDA spellings people write in specs out of habit.
constexpr std::array<std::pair<std::string_view, Dtype>, 24> kDtypeAliases = {{
    {"half", Dtype::F16},
    {"__half", Dtype::F16},
    {"float", Dtype::F32},
    {"double", Dtype::F64},
    {"int8_t", Dtype::I8},
    {"char", Dtype::I8},
    {"signed char", Dtype::I8},
    {"int16_t", Dtype::I16},
    {"short", Dtype::I16},
    {"int32_t", Dtype::I32},
    {"int", Dtype::I32},
    {"int64_t", Dtype::I64},
    {"long", Dtype::I64},  // LP64: tuna runs on 64-bit Linux
    {"long long", Dtype::I64},
    {"uint8_t", Dtype::U8},
    {"unsigned char", Dtype::U8},
    {"uint16_t", Dtype::U16},
    {"unsigned short", Dtype::U16},
    {"uint32_t", Dtype::U32},
    {"unsigned", Dtype::U32},
    {"unsigned int", Dtype::U32},
    {"unsigned long", Dtype::U64},
    {"unsigned long long", Dtype::U64},
    {"uint64_t", Dtype::U64},
}};

const DtypeInfo& dtype_info(Dtype d) {
  for (const auto& info : kDtypes) {
    if (info.dtype == d) return info;
  }
  TUNA_ASSERT(false, "unknown Dtype");
}

constexpr std::array<std::pair<ArgRole, const char*>, 4> kRoles = {
    {{ArgRole::Input, "input"},
     {ArgRole::Output, "output"},
     {ArgRole::InOut, "inout"},
     {ArgRole::Constant, "constant"}}};
constexpr std::array<std::pair<InitKind, const char*>, 6> kInits = {
    {{InitKind::Random, "random"},
     {InitKind::Zeros, "zeros"},
     {InitKind::Ones, "ones"},
     {InitKind::Iota, "iota"},
     {InitKind::Constant, "constant"},
     {InitKind::File, "file"}}};
constexpr std::array<std::pair<Reference, const char*>, 4> kReferences = {
    {{Reference::DefaultConfig, "default"},
     {Reference::Kernel, "kernel"},
     {Reference::None, "none"},
     {Reference::Expected, "expected"}}};

template <typename Enum, std::size_t N>
const char* name_in(const std::array<std::pair<Enum, const char*>, N>& table, Enum e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  TUNA_ASSERT(false, "enum value without a name");
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_in(const std::array<std::pair<Enum, const char*>, N>& table,
                             std::string_view name) {
  for (const auto& [value, text] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UserError(
        fmt::format("cannot read {} '{}'. Check that it exists and is readable", what,
                    path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Feeds a file's length and a digest of its bytes to `h`. Data files may be large, so they go
// through BulkDigest (32 bytes a step) rather than byte by byte through `h`; the digest's tag
// says which. Since 2026-12-06 spec hashes of specs with data files are these: results stored
// under the earlier byte-by-byte hash stay in the store and serve as a prior from an earlier
// spec version (docs/spec.md).
void hash_file(ContentHasher& h, const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!in || ec)
    throw UserError(
        fmt::format("cannot read {} '{}'. Check that it exists and is readable", what,
                    path.string()));
  h.field(static_cast<std::int64_t>(size));
  BulkDigest digest;
  std::string piece(std::size_t{4} << 20, '\0');
  while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0)
    digest.update(std::string_view(piece.data(), static_cast<std::size_t>(in.gcount())));
  h.field("bulk-digest-v1");
  h.field(digest.hex());
}

// Evaluates a geometry or size expression to an integer of at least `minimum`.
std::int64_t evaluate_count(const Expr& e, const Env& env, std::int64_t minimum,
                            std::string_view what) {
  Value v;
  try {
    v = e.evaluate(env);
  } catch (const UserError& err) {
    throw UserError(fmt::format("{} '{}' cannot be evaluated: {}", what, e.text(), err.what()));
  }
  const bool integral =
      v.is_int() || v.is_bool() || (v.is_float() && std::floor(v.as_double()) == v.as_double());
  if (!integral || v.as_double() < static_cast<double>(minimum))
    throw UserError(fmt::format("{} '{}' is {}, but must be an integer of at least {}", what,
                                e.text(), v.to_string(), minimum));
  return v.is_float() ? static_cast<std::int64_t>(v.as_double()) : v.as_int();
}

}  // namespace

const char* dtype_name(Dtype d) { return dtype_info(d).name; }
std::size_t dtype_size(Dtype d) { return dtype_info(d).size; }

std::optional<Dtype> dtype_from_name(std::string_view name) {
  for (const auto& info : kDtypes) {
    if (name == info.name) return info.dtype;
  }
  for (const auto& [alias, d] : kDtypeAliases) {
    if (name == alias) return d;
  }
  return std::nullopt;
}

const char* arg_role_name(ArgRole r) { return name_in(kRoles, r); }
const std::string& constant_symbol(const Argument& arg) {
  return arg.symbol.empty() ? arg.name : arg.symbol;
}
bool is_passed_to_kernel(const Argument& arg) { return arg.role != ArgRole::Constant; }

bool is_read_back(const Argument& arg) {
  return arg.is_buffer && (arg.role == ArgRole::Output || arg.role == ArgRole::InOut);
}
const char* init_kind_name(InitKind k) { return name_in(kInits, k); }
const char* reference_name(Reference r) { return name_in(kReferences, r); }
std::optional<ArgRole> arg_role_from_name(std::string_view n) { return value_in(kRoles, n); }
std::optional<InitKind> init_kind_from_name(std::string_view n) { return value_in(kInits, n); }
std::optional<Reference> reference_from_name(std::string_view n) {
  return value_in(kReferences, n);
}

Space KernelSpec::make_space(const DeviceInfo& device) const {
  const auto loc = spec_internal::SpecLocations::for_spec(*this);
  Env env = constants;
  env.merge(device.as_env());
  spec_internal::check_device_names(*this, env, loc);
  // Counts that read device facts are first known here.
  spec_internal::check_data_files(*this, env, loc);
  std::vector<Parameter> params;
  params.reserve(parameters.size());
  for (const auto& ps : parameters) params.push_back(ps.param);
  Space space;
  try {
    space = Space(std::move(params), constraints, env);
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", loc.where(""), e.what()));
  }
  std::vector<std::size_t> index(constraints.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
  spec_internal::check_space_usable(*this, space, index, env, loc);
  return space;
}

Env KernelSpec::env_for(const Space& space, const Config& config, const DeviceInfo& device) const {
  TUNA_ASSERT(config.size() == space.params().size(), "config does not match the space");
  Env env = constants;
  env.merge(device.as_env());
  for (std::size_t i = 0; i < config.size(); ++i) env.set(space.params()[i].name, config[i]);
  return env;
}

std::string KernelSpec::entry_for(const Space& space, const Config& config) const {
  std::string out;
  std::size_t pos = 0;
  while (pos < entry.size()) {
    const std::size_t open = entry.find('{', pos);
    if (open == std::string::npos) break;
    const std::size_t close = entry.find('}', open);
    const std::string name =
        close == std::string::npos ? std::string() : entry.substr(open + 1, close - open - 1);
    const auto idx = close == std::string::npos ? -1 : space.index_of(name);
    if (idx < 0)
      throw UserError(
          fmt::format("kernel.entry: '{}' has a placeholder that is not a parameter "
                      "at position {}. Write placeholders as {{NAME}} with NAME a "
                      "parameter",
                      entry, open + 1));
    out += entry.substr(pos, open - pos);
    out += config[static_cast<std::size_t>(idx)].to_define();
    pos = close + 1;
  }
  out += entry.substr(std::min(pos, entry.size()));
  return out;
}

std::string KernelSpec::content_hash() const {
  ContentHasher h;
  h.field("tuna.kernel_spec.v1");
  h.field(spec_internal::spec_to_toml_text(*this, spec_internal::SourcePath::FileNameOnly));
  // On the sim backend the recording decides every measurement; the kernel's source, when
  // given, only informs the LLM.
  if (backend == "sim")
    h.field(read_file(recording, "the recording"));
  else
    h.field(read_file(source, "kernel source"));
  // Inputs and expected outputs decide what is measured and what counts as right. Specs without
  // data files hash as they did before these existed.
  for (const Argument& a : arguments) {
    if (a.init == InitKind::File) hash_file(h, a.file, "the data file");
    if (!a.expected.empty()) hash_file(h, a.expected, "the expected-output file");
  }
  return h.hex();
}

DeviceInfo device_for_spec(const KernelSpec& spec, const DeviceInfo& backend_device) {
  if (spec.backend != "sim" || !spec.recorded_device) return backend_device;
  DeviceInfo d = *spec.recorded_device;
  d.backend = "sim";
  d.id = "sim:" + d.name;
  return d;
}

std::string KernelSpec::constraint_name(std::size_t i) const {
  if (i < constraint_names.size()) return constraint_names[i];
  return fmt::format("constraint_{}", i + 1);
}

std::string KernelSpec::problem_key() const {
  std::string out;
  for (const auto& [name, value] : constants.values()) {  // std::map: sorted by name
    if (!out.empty()) out += ',';
    out += name + "=" + value.to_string();
  }
  return out;
}

LaunchDims launch_dims(const LaunchGeometry& launch, const Env& env) {
  LaunchDims dims;
  for (std::size_t d = 0; d < 3; ++d) {
    if (!launch.grid[d].empty())
      dims.grid[d] = evaluate_count(launch.grid[d], env, 1, fmt::format("launch.grid[{}]", d));
    if (!launch.block[d].empty())
      dims.block[d] = evaluate_count(launch.block[d], env, 1, fmt::format("launch.block[{}]", d));
    // With the global convention grid holds work-items; backends that launch blocks (CUDA) get
    // enough blocks to cover them.
    if (launch.convention == LaunchConvention::Global) {
      dims.global[d] = dims.grid[d];
      dims.grid[d] = (dims.global[d] + dims.block[d] - 1) / dims.block[d];
    } else {
      dims.global[d] = dims.grid[d] * dims.block[d];
    }
  }
  if (!launch.shared_memory_bytes.empty())
    dims.shared_memory_bytes =
        evaluate_count(launch.shared_memory_bytes, env, 0, "launch.shared_memory");
  return dims;
}

std::int64_t buffer_elements(const Argument& arg, const Env& env) {
  TUNA_ASSERT(arg.is_buffer, "buffer_elements of a non-buffer");
  if (!arg.count.empty())
    return evaluate_count(arg.count, env, 1, fmt::format("the count of buffer '{}'", arg.name));
  const bool from_file = arg.init == InitKind::File;
  TUNA_ASSERT(from_file || !arg.expected.empty(), "a buffer without a count or a data file");
  try {
    return inspect_array_file(from_file ? arg.file : arg.expected, arg.dtype).count;
  } catch (const ArrayFileError& e) {
    throw UserError(
        fmt::format("args.{}.{}: {}", arg.name, from_file ? "file" : "expected", e.what()));
  }
}

void validate_spec(const KernelSpec& spec) {
  spec_internal::check_spec(spec, spec_internal::SpecLocations::for_spec(spec));
}

}  // namespace tuna
