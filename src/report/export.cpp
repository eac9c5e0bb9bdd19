#include "report/export.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>

#include "eval/codec.hpp"
#include "tuna/errors.hpp"

namespace tuna::report {
namespace {

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string cpp_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int: return fmt::format("constexpr long long {{}} = {};", v.as_int());
    case ValueKind::Float: return fmt::format("constexpr double {{}} = {};", v.to_string());
    case ValueKind::Bool: return fmt::format("constexpr bool {{}} = {};", v.truthy());
    case ValueKind::String:
      return fmt::format("constexpr const char* {{}} = {};", nlohmann::json(v.as_string()).dump());
  }
  TUNA_ASSERT(false, "unknown value kind");
}

}  // namespace

std::string cpp_identifier(const std::string& name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "k_" + id;
  return id;
}

std::string export_header(const ExportInput& in) {
  std::string out;
  out += fmt::format("// Tuned by tuna on {}. Do not edit: run `tuna export` again.\n",
                     in.generated_at);
  out += fmt::format("// Kernel {} on {} ({}), problem {}.\n", in.context.kernel_name,
                     in.context.device_name, in.context.backend, in.context.problem);
  out += fmt::format("// Best of {} configs: {:.6g} ms median over {} runs.\n",
                     in.results_considered, in.best.median_ms, in.best.times_ms.size());
  out += fmt::format("// Config: {}\n#pragma once\n\n", in.best.key);
  out += fmt::format("namespace tuna_tuned::{} {{\n", cpp_identifier(in.context.kernel_name));
  for (std::size_t i = 0; i < in.space.params().size(); ++i) {
    const std::string& name = in.space.params()[i].name;
    if (!is_identifier(name)) {
      throw UserError(fmt::format("parameter '{}' is not a C++ identifier, so it cannot be "
                                  "exported as a header; use --format json",
                                  name));
    }
    out += fmt::format(fmt::runtime(cpp_value(in.best.config[i])), name) + "\n";
  }
  out += fmt::format("}}  // namespace tuna_tuned::{}\n", cpp_identifier(in.context.kernel_name));
  return out;
}

std::string export_json(const ExportInput& in) {
  nlohmann::json config = nlohmann::json::object();
  for (std::size_t i = 0; i < in.space.params().size(); ++i) {
    config[in.space.params()[i].name] = codec::to_json(in.best.config[i]);
  }
  nlohmann::json out = {{"kernel", in.context.kernel_name},
                        {"device", in.context.device_name},
                        {"device_id", in.context.device_id},
                        {"backend", in.context.backend},
                        {"problem", in.context.problem},
                        {"spec_hash", in.context.spec_hash},
                        {"config", config},
                        {"key", in.best.key},
                        {"median_ms", in.best.median_ms},
                        {"times_ms", in.best.times_ms},
                        {"results_considered", in.results_considered},
                        {"generated_at", in.generated_at}};
  return out.dump(2) + "\n";
}

}  // namespace tuna::report
