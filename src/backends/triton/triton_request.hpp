#pragma once
// The conversation between the triton backend's compile child and Triton: one JSON request per
// config (what triton_compile.py reads on stdin) and the answer it prints as its last line.
// Pure functions, so that both ends are tested without Python.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "backends/common/artifact_manifest.hpp"
#include "tuna/backend.hpp"
#include "tuna/device.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::triton {

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

// The helper's answer to {"query": "version"}: Triton's and Python's versions, or why that
// interpreter cannot compile Triton kernels.
struct VersionAnswer {
  bool ok = false;
  std::string triton;
  std::string python;
  std::string problem;  // when not ok: the helper's message and fix, or what it printed
};
VersionAnswer parse_version(std::string_view output);

// "message. fix", or the message alone without a fix.
std::string with_fix(const std::string& message, const std::string& fix);

}  // namespace tuna::triton
