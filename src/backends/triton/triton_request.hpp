#pragma once
// The conversation between the triton backend's compile child and Triton: one JSON request per
// config (what triton_compile.py reads on stdin) and the answer it prints as its last line.
// Pure functions, so that both ends are tested without Python.
#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "backends/common/artifact_manifest.hpp"
#include "tuna/backend.hpp"
#include "tuna/device.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::triton {

// Parameters that are Triton's compile options rather than the kernel's constexprs.
inline constexpr std::array<std::string_view, 4> kLaunchOptions = {"num_warps", "num_stages",
                                                                   "num_ctas", "maxnreg"};
bool is_launch_option(std::string_view name);

// The request for compiling `config` into `cubin_path`: the kernel's file and function, the
// spec's arguments (types, and the values of scalars, which Triton specialises on), the
// config's parameters and the problem constants as constexprs, the launch options, and the
// device's architecture. The cache key text leaves out where files are.
struct CompileRequest {
  nlohmann::json json;
  std::string cache_key_text;  // the request without the cubin path or the source's folder
};
CompileRequest compile_request(const KernelSpec& spec, const Space& space, const Config& config,
                               const DeviceInfo& device, const std::string& cubin_path);

// What Triton answered.
struct CompileAnswer {
  enum class Kind { Compiled, Failed, Fatal };
  Kind kind = Kind::Failed;
  std::string symbol;        // Compiled: the cubin's kernel
  backends::CompilerLaunch launch;
  std::map<std::string, double> resources;  // num_warps, num_stages, shared bytes, ...
  std::string error_class;   // Failed: "compile_error", "out_of_resources"
  std::string message;       // Failed/Fatal: one line
  std::string fix;           // Fatal: what to do
  std::string log;           // Failed: the whole text
};

// The helper's answer: the last line of its output that is a JSON object with "ok" (Triton and
// Python may print warnings before it, and at exit after it); nullopt when there is none.
std::optional<nlohmann::json> last_answer(std::string_view output);

// The last non-empty line of a process's output, at most 240 characters: where Python puts the
// exception that ended it.
std::string last_line(std::string_view output);

// Reads the answer from the helper's whole output (its last JSON line; Triton may print before
// it). An output without one, or one of the wrong shape, is a Failed answer ("compile_crash")
// quoting the output, never an exception: it is what one config did.
CompileAnswer parse_answer(std::string_view output, std::size_t spec_arguments);

}  // namespace tuna::triton
