#include "backends/triton/triton_compiler.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "backends/common/artifact_files.hpp"
#include "backends/common/artifact_manifest.hpp"
#include "backends/common/outcomes.hpp"
#include "backends/triton/triton_compile_script.hpp"
#include "backends/triton/triton_request.hpp"
#include "base/hash.hpp"
#include "base/process.hpp"
#include "tuna/errors.hpp"

namespace tuna::triton {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Bumped when the request, the helper's answer or the manifest change meaning.
constexpr std::string_view kCacheFormat = "tuna-triton-cubin-v1";

const char* const kChooseInterpreter =
    "Install Triton for it (pip install triton), or set TUNA_PYTHON to a Python interpreter that "
    "has Triton (the Python package sets it to its own)";

// Runs the embedded helper with `request` on its standard input. Inside a compile child, which
// is killed as a group at the compile timeout, so the interpreter stays in that group.
ProcessResult run_helper(const json& request, bool own_group) {
  RunProcessOptions options;
  options.stdin_text = request.dump();
  options.own_process_group = own_group;
  // Warnings at exit must not land after the answer; no .pyc files in the user's folders.
  options.extra_env = {{"PYTHONUNBUFFERED", "1"}, {"PYTHONDONTWRITEBYTECODE", "1"}};
  return run_process({python_interpreter(), "-c", std::string(kTritonCompileScript)}, options);
}

void require_started(const ProcessResult& result) {
  if (!result.started)
    throw UserError(fmt::format("triton backend: cannot start the Python interpreter '{}' ({}). {}.",
                                python_interpreter(), result.spawn_error, kChooseInterpreter));
}

std::string read_binary(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

CompileOutcome failed_outcome(const CompileAnswer& answer) {
  return backends::compile_failure(answer.error_class.empty() ? "compile_error" : answer.error_class,
                                   answer.message, answer.log);
}

}  // namespace

std::string python_interpreter() {
  const char* chosen = std::getenv("TUNA_PYTHON");
  return chosen != nullptr && *chosen != '\0' ? std::string(chosen) : std::string("python3");
}

const VersionAnswer& TritonCompiler::version() const {
  std::call_once(version_once_, [&] {
    const ProcessResult result = run_helper({{"query", "version"}}, true);
    require_started(result);
    VersionAnswer answer = parse_version(result.output);
    if (!answer.ok)
      throw UserError(fmt::format(
          "triton backend: the Python interpreter '{}' cannot compile Triton kernels ({}): {}. {}.",
          python_interpreter(), result.describe(), answer.problem, kChooseInterpreter));
    version_ = std::move(answer);
  });
  return *version_;
}

std::string TritonCompiler::identity() const { return "Triton " + version().triton; }

void TritonCompiler::add_facts(Env& facts) const {
  facts.set("triton_version", version().triton);
  facts.set("python_version", version().python);
}

CompileOutcome TritonCompiler::compile(const KernelSpec& spec, const Space& space,
                                       const Config& config, const DeviceInfo& device,
                                       const fs::path& cache_dir) const {
  const auto started = std::chrono::steady_clock::now();
  const std::string source_text = backends::read_kernel_source(spec.source);
  CompileRequest request = compile_request(spec, space, config, device, "");

  // The device id names the GPU's architecture and the Triton version (identity()).
  ContentHasher hasher;
  hasher.field(kCacheFormat).field(kTritonCompileScript).field(source_text);
  hasher.field(request.cache_key_text).field(device.id);
  const std::string hash = hasher.hex();
  const fs::path cubin_path = cache_dir / (hash + ".cubin");
  if (std::optional<CompileOutcome> cached = backends::cached_artifact(cubin_path, hash))
    return *cached;

  backends::create_cache_folder(cache_dir);
  backends::TemporaryFile output(backends::temporary_sibling(cubin_path));
  request.json["cubin"] = output.path().string();
  const ProcessResult result = run_helper(request.json, false);
  require_started(result);
  CompileAnswer answer = parse_answer(result.output, spec.arguments.size());
  if (answer.kind == CompileAnswer::Kind::Fatal)
    throw UserError("triton backend: " + with_fix(answer.message, answer.fix));
  if (answer.kind == CompileAnswer::Kind::Failed) {
    if (!result.ok() && answer.error_class == "compile_crash")
      answer.message = fmt::format("Triton's compiler {}: {}", result.describe(),
                                   last_line(result.output));
    return failed_outcome(answer);
  }
  const std::string cubin = read_binary(output.path());
  if (cubin.empty())
    return backends::compile_failure("compile_crash", "Triton reported success but wrote no cubin",
                                     result.output);

  backends::ArtifactManifest manifest;
  manifest.entry = answer.symbol;
  manifest.options = request.cache_key_text;
  manifest.resources = answer.resources;
  manifest.launch = answer.launch;
  manifest.log = result.output;
  return backends::store_artifact(cubin_path, hash, manifest, cubin, started);
}

}  // namespace tuna::triton
