// `tuna export --format header`: the tuned values as C++17 constants. The primary entry's values
// are plain constants (`tuna_tuned::matmul::BM`), for builds that target one device and one
// problem; every (device, problem) the store holds is in a constexpr table with a find() that
// falls back to the defaults, for builds that ship to several (docs/deploy.md).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

#include "report/export.hpp"
#include "tuna/errors.hpp"

namespace tuna::report {
namespace {

// Names the header itself defines in the kernel's namespace; a parameter may not take one.
const std::set<std::string> kReservedNames = {"Values", "Entry", "kTuned", "kDefault", "find",
                                              "kTunedCount", "kProblem", "kDevice"};

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

const char* cpp_type(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int: return "long long";
    case ValueKind::Float: return "double";
    case ValueKind::Bool: return "bool";
    case ValueKind::String: return "const char*";
  }
  TUNA_ASSERT(false, "unknown value kind");
}

std::string cpp_literal(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int: return fmt::format("{}", v.as_int());
    case ValueKind::Float: return fmt::format("{:.17g}", v.as_double());
    case ValueKind::Bool: return v.truthy() ? "true" : "false";
    case ValueKind::String: return quoted(v.as_string());
  }
  TUNA_ASSERT(false, "unknown value kind");
}

void check_names(const Space& space) {
  for (const Parameter& p : space.params()) {
    if (!is_identifier(p.name))
      throw UserError(fmt::format("parameter '{}' is not a C++ identifier, so it cannot be "
                                  "exported as a header; use --format json",
                                  p.name));
    if (kReservedNames.count(p.name))
      throw UserError(fmt::format("parameter '{}' has a name the exported header uses itself; "
                                  "rename the parameter or use --format json",
                                  p.name));
  }
}

std::string values_initialiser(const Config& config) {
  std::string out = "{";
  for (std::size_t i = 0; i < config.size(); ++i)
    out += (i ? ", " : "") + cpp_literal(config[i]);
  return out + "}";
}

std::string table(const ExportInput& in) {
  const Space& space = in.space;
  Config defaults = space.default_config();
  std::string out = "// One tuned config per (device, problem) measured; the defaults otherwise.\n";
  out += "struct Values {\n";
  for (std::size_t i = 0; i < space.params().size(); ++i)
    out += fmt::format("  {} {};\n", cpp_type(defaults[i]), space.params()[i].name);
  out += "};\n";
  out += "struct Entry {\n  const char* device;     // DeviceInfo::name\n"
         "  const char* device_id;  // name plus driver and compiler versions\n"
         "  const char* problem;    // e.g. \"K=512,M=512,N=512\"\n"
         "  double median_ms;\n  Values values;\n};\n";
  out += fmt::format("inline constexpr Values kDefault = {};\n", values_initialiser(defaults));
  out += fmt::format("inline constexpr std::size_t kTunedCount = {};\n", in.entries.size());
  out += "inline constexpr Entry kTuned[kTunedCount + 1] = {\n";
  for (const ExportEntry& e : in.entries) {
    out += fmt::format("    {{{}, {}, {}, {:.6g}, {}}},\n", quoted(e.context.device_name),
                       quoted(e.context.device_id), quoted(e.context.problem), e.best.median_ms,
                       values_initialiser(e.best.config));
  }
  out += "    {\"\", \"\", \"\", 0, kDefault},  // sentinel: keeps the array non-empty\n};\n\n";
  out += R"(// The tuned values for a device (its id, or its name: any driver and compiler version)
// and a problem key; kDefault when nothing matches. An exact id match beats a name match.
constexpr Values find(std::string_view device, std::string_view problem) noexcept {
  const std::string_view name = device.substr(0, device.find(" | "));
  const Values* by_name = nullptr;
  for (std::size_t i = 0; i < kTunedCount; ++i) {
    if (problem != kTuned[i].problem) continue;
    if (device == kTuned[i].device_id) return kTuned[i].values;
    if (!by_name && (name == kTuned[i].device || device == kTuned[i].device))
      by_name = &kTuned[i].values;
  }
  return by_name ? *by_name : kDefault;
}
)";
  return out;
}

}  // namespace

std::string cpp_identifier(const std::string& name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "k_" + id;
  return id;
}

std::string export_header(const ExportInput& in) {
  check_names(in.space);
  const ExportEntry* primary = in.primary ? &in.entries.at(*in.primary) : nullptr;
  Config plain = primary ? primary->best.config : in.space.default_config();
  std::string ns = cpp_identifier(in.kernel_name);
  std::string out = fmt::format("// Tuned by tuna on {}. Do not edit: run `tuna export` again.\n",
                                in.generated_at);
  if (primary) {
    out += fmt::format("// Kernel {} on {} ({}), problem {}.\n", in.kernel_name,
                       primary->context.device_name, primary->context.backend,
                       primary->context.problem);
    out += fmt::format("// Best of {} configs: {:.6g} ms median over {} runs.\n",
                       primary->results_considered, primary->best.median_ms,
                       primary->best.times_ms.size());
    out += fmt::format("// Config: {}\n", primary->best.key);
  } else {
    out += fmt::format("// Kernel {}: problem {} was not tuned; the constants are the defaults.\n",
                       in.kernel_name, in.current_problem);
  }
  out += "#pragma once\n\n#include <cstddef>\n#include <string_view>\n\n";
  out += fmt::format("namespace tuna_tuned::{} {{\n\n", ns);
  out += fmt::format("// {} on {}\n", primary ? "Tuned for problem " + in.current_problem
                                               : std::string("Defaults of the spec"),
                     primary ? primary->context.device_name : std::string("any device"));
  out += fmt::format("inline constexpr const char* kProblem = {};\n", quoted(in.current_problem));
  out += fmt::format("inline constexpr const char* kDevice = {};\n",
                     quoted(primary ? primary->context.device_name : ""));
  for (std::size_t i = 0; i < in.space.params().size(); ++i)
    out += fmt::format("constexpr {} {} = {};\n", cpp_type(plain[i]), in.space.params()[i].name,
                       cpp_literal(plain[i]));
  out += "\n" + table(in);
  out += fmt::format("\n}}  // namespace tuna_tuned::{}\n", ns);
  return out;
}

}  // namespace tuna::report
