#include "backends/triton/triton_request.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "backends/common/argument_data.hpp"
#include "backends/cuda/cuda_compiler.hpp"
#include "base/one_line.hpp"
#include "core/triton_options.hpp"
#include "tuna/errors.hpp"

namespace tuna::triton {
namespace {

using nlohmann::json;

json value_json(const Value& v) {
  if (v.is_bool()) return v.truthy();
  if (v.is_int()) return v.as_int();
  if (v.is_float()) return v.as_double();
  return v.as_string();
}

json arguments_json(const KernelSpec& spec, const Env& env) {
  json args = json::array();
  for (const Argument& arg : spec.arguments) {
    json a = {{"name", arg.name}, {"type", dtype_name(arg.dtype)}, {"pointer", arg.is_buffer}};
    if (!arg.is_buffer) a["value"] = value_json(backends::evaluate_scalar(arg, env));
    args.push_back(std::move(a));
  }
  return args;
}

}  // namespace

std::string last_line(std::string_view output) {
  std::size_t end = output.find_last_not_of(" \t\r\n");
  if (end == std::string_view::npos) return "no output";
  std::size_t start = output.rfind('\n', end);
  start = start == std::string_view::npos ? 0 : start + 1;
  return eval::one_line(output.substr(start, end + 1 - start));
}

std::optional<json> last_answer(std::string_view output) {
  std::size_t end = output.size();
  while (end > 0) {
    std::size_t start = output.rfind('\n', end - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::string_view line = output.substr(start, end - start);
    if (!line.empty() && line.front() == '{') {
      json j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("ok")) return j;
    }
    if (start == 0) break;
    end = start - 1;
  }
  return std::nullopt;
}

namespace {

std::string text_or(const json& j, const char* key, std::string fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

CompileAnswer crash(std::string message, std::string_view output) {
  CompileAnswer answer;
  answer.kind = CompileAnswer::Kind::Failed;
  answer.error_class = "compile_crash";
  answer.message = std::move(message);
  answer.log = std::string(output);
  return answer;
}

backends::CompilerLaunch launch_of(const json& j) {
  backends::CompilerLaunch launch;
  launch.block_threads = j.at("num_warps").get<std::int64_t>() * j.value("warp_size", 32);
  launch.shared_memory_bytes = j.at("shared").get<std::int64_t>();
  launch.arguments = j.at("runtime_args").get<std::vector<std::size_t>>();
  for (const json& s : j.at("scratch"))
    launch.scratch.push_back({s.at("size").get<std::int64_t>(), s.value("align", 1)});
  return launch;
}

// Why a launch the helper described cannot be used; empty when it can.
std::string launch_problem(const backends::CompilerLaunch& launch, std::size_t spec_arguments) {
  if (launch.block_threads <= 0) return "num_warps is not positive";
  if (launch.shared_memory_bytes < 0) return "shared memory is negative";
  for (std::size_t index : launch.arguments)
    if (index >= spec_arguments)
      return fmt::format("runtime_args names argument {} of {}", index, spec_arguments);
  for (const auto& s : launch.scratch)
    if (s.bytes_per_program < 0 || s.align <= 0) return "a scratch buffer is out of range";
  return {};
}

// The answer in `j` (an object with "ok"); throws json::exception where its shape is wrong.
CompileAnswer answer_of(const json& j, std::size_t spec_arguments, std::string_view output) {
  CompileAnswer answer;
  answer.message = text_or(j, "message", "");
  if (j.at("ok").get<bool>() != true) {
    answer.kind = j.value("fatal", false) ? CompileAnswer::Kind::Fatal : CompileAnswer::Kind::Failed;
    answer.error_class = text_or(j, "error_class", "compile_error");
    answer.fix = text_or(j, "fix", "");
    answer.log = text_or(j, "log", std::string(output));
    if (answer.message.empty()) answer.message = "Triton failed without a message";
    return answer;
  }
  // Thread-block clusters (num_ctas > 1) need cuLaunchKernelEx, which the CUDA runtime does not
  // use: such a config is recorded as unsupported rather than launched wrongly.
  if (const int ctas = j.value("num_ctas", 1); ctas != 1) {
    answer.kind = CompileAnswer::Kind::Failed;
    answer.error_class = "unsupported";
    answer.message = fmt::format(
        "num_ctas = {} (a cluster of programs) is not supported by tuna's launcher; tune "
        "num_ctas = 1 only",
        ctas);
    return answer;
  }
  answer.kind = CompileAnswer::Kind::Compiled;
  answer.symbol = j.at("name").get<std::string>();
  answer.launch = launch_of(j);
  if (answer.symbol.empty()) return crash("Triton's compile helper named no kernel", output);
  if (std::string problem = launch_problem(answer.launch, spec_arguments); !problem.empty())
    return crash("Triton's compile helper described an unusable launch: " + problem, output);
  answer.resources["num_warps"] = j.at("num_warps").get<double>();
  if (j.contains("num_stages")) answer.resources["num_stages"] = j.at("num_stages").get<double>();
  answer.resources["triton_shared_bytes"] = static_cast<double>(answer.launch.shared_memory_bytes);
  if (j.contains("compile_ms"))
    answer.resources["triton_compile_ms"] = j.at("compile_ms").get<double>();
  return answer;
}

}  // namespace

CompileRequest compile_request(const KernelSpec& spec, const Space& space, const Config& config,
                               const DeviceInfo& device, const std::string& cubin_path) {
  const Env env = spec.env_for(space, config, device);
  json constexprs = json::object();
  for (const auto& [name, value] : spec.constants.values()) constexprs[name] = value_json(value);
  json options = json::object();
  for (std::size_t i = 0; i < space.params().size(); ++i) {
    const std::string& name = space.params()[i].name;
    (is_triton_launch_option(name) ? options : constexprs)[name] = value_json(config[i]);
  }
  const Value* warp_size = device.facts.find("warp_size");
  json target = {{"backend", "cuda"},
                 {"arch", cuda::compute_capability_of(device)},
                 {"warp_size", warp_size ? warp_size->as_int() : 32}};
  // Triton checks shared memory only when it loads a kernel; with the limit, a config that
  // needs more is a compile-time failure ("out_of_resources") instead of a launch failure.
  if (const Value* optin = device.facts.find("shared_memory_per_block_optin"))
    target["max_shared"] = optin->as_int();
  json request = {{"query", "compile"},
                  {"source", spec.source.string()},
                  {"kernel", spec.entry_for(space, config)},
                  {"args", arguments_json(spec, env)},
                  {"constexprs", std::move(constexprs)},
                  {"options", std::move(options)},
                  {"target", std::move(target)}};
  CompileRequest out;
  // The source's folder is not part of the key (moving a kernel's folder keeps its cache).
  json keyed = request;
  keyed["source"] = spec.source.filename().string();
  out.cache_key_text = keyed.dump();
  request["cubin"] = cubin_path;
  out.json = std::move(request);
  return out;
}

CompileAnswer parse_answer(std::string_view output, std::size_t spec_arguments) {
  const std::optional<json> found = last_answer(output);
  if (!found)
    return crash(fmt::format("Triton's compile helper gave no answer: {}", last_line(output)),
                 output);
  try {
    return answer_of(*found, spec_arguments, output);
  } catch (const json::exception& e) {
    return crash(
        fmt::format("Triton's compile helper answered in an unexpected shape ({})", e.what()),
        output);
  }
}

VersionAnswer parse_version(std::string_view output) {
  VersionAnswer version;
  const std::optional<json> found = last_answer(output);
  if (!found) {
    version.problem = "no answer: " + last_line(output);
    return version;
  }
  const json& j = *found;
  if (!j.at("ok").is_boolean() || !j.at("ok").get<bool>()) {
    version.problem = with_fix(text_or(j, "message", "no message"), text_or(j, "fix", ""));
    return version;
  }
  version.ok = true;
  version.triton = text_or(j, "triton_version", "unknown");
  version.python = text_or(j, "python", "");
  return version;
}

std::string with_fix(const std::string& message, const std::string& fix) {
  return fix.empty() ? message : message + ". " + fix;
}

}  // namespace tuna::triton
