#include "backends/host/system_compiler.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <sstream>

#include "backends/common/artifact_files.hpp"
#include "backends/common/compiler_log.hpp"
#include "backends/common/kernel_defines.hpp"
#include "backends/common/outcomes.hpp"
#include "backends/host/host_shim.hpp"
#include "base/hash.hpp"
#include "base/process.hpp"
#include "tuna/errors.hpp"

namespace tuna::host {
namespace {

namespace fs = std::filesystem;

// Bumped when the shim or the fixed options change meaning, so old artifacts are not reused.
constexpr std::string_view kCacheFormat = "tuna-host-artifact-v1";

std::vector<std::string> split_words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::string cache_key(const std::string& source_text, const std::string& shim_text,
                      const std::vector<std::string>& command, const CompileRequest& request) {
  ContentHasher hasher;
  hasher.field(kCacheFormat).field(source_text).field(shim_text);
  hasher.field(static_cast<std::int64_t>(command.size()));
  for (const auto& word : command) hasher.field(word);
  hasher.field(request.compiler_identity).field(request.device_id);
  return hasher.hex();
}

bool is_gcc_diagnostic(const std::string& line) {
  return line.find(": error:") != std::string::npos ||
         line.find(": fatal error:") != std::string::npos;
}

// The constant argument whose global a compiler error names (in GCC's typographic quotes or in
// Clang's plain ones), or null.
const Argument* constant_named_in(const KernelSpec& spec, std::string_view error) {
  for (const Argument& arg : spec.arguments) {
    if (is_passed_to_kernel(arg)) continue;
    const std::string& symbol = constant_symbol(arg);
    for (const auto& [open, close] : {std::pair{"\u2018", "\u2019"}, std::pair{"'", "'"}})
      if (error.find(open + symbol + close) != std::string_view::npos) return &arg;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> compiler_command_from_environment() {
  for (const char* name : {"TUNA_CXX", "CXX"}) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    std::vector<std::string> words = split_words(value);
    if (!words.empty()) return words;
  }
  return {"c++"};
}

std::string query_compiler_identity(const std::vector<std::string>& cxx) {
  std::vector<std::string> argv = cxx;
  argv.push_back("--version");
  RunProcessOptions options;
  options.timeout_s = 60;
  ProcessResult result = run_process(argv, options);
  if (!result.ok())
    throw UserError(fmt::format(
        "host backend: cannot run the C++ compiler '{}' ({}). Install g++ or clang++, or name "
        "one with the TUNA_CXX environment variable (e.g. TUNA_CXX=clang++).",
        fmt::join(cxx, " "), result.describe()));
  std::string first_line =
      backends::trim(std::string_view(result.output).substr(0, result.output.find('\n')));
  return first_line.empty() ? fmt::format("{}", fmt::join(cxx, " ")) : first_line;
}

std::vector<std::string> compile_options(const KernelSpec& spec, const Space& space,
                                         const Config& config) {
  // Hidden visibility lets the compiler inline and specialise the user's helper functions, which
  // -fPIC would otherwise treat as interposable; the shim exports its entry points explicitly.
  std::vector<std::string> options = {"-std=c++20", "-O3", "-fPIC", "-shared",
                                      "-fvisibility=hidden"};
  options.insert(options.end(), spec.compiler_flags.begin(), spec.compiler_flags.end());
  const std::vector<std::string> defines = backends::define_options(spec, space, config);
  options.insert(options.end(), defines.begin(), defines.end());
  return options;
}

std::string first_error_line(std::string_view log) {
  // Diagnostics first ("x.cpp:3:1: error: ..."), then anything that mentions an error (linker,
  // driver), then the first line at all; each without the directories of its path.
  std::optional<backends::ErrorLine> line = backends::find_error_line(log, is_gcc_diagnostic);
  if (!line) return {};
  return backends::shorten_message(backends::strip_directories(line->text, line->text.find(':')));
}

CompileOutcome compile_shared_object(const KernelSpec& spec, const Space& space,
                                     const Config& config, const CompileRequest& request) {
  const std::string source_text = backends::read_kernel_source(spec.source);
  const std::string shim_text = make_shim(spec, space, config);
  std::vector<std::string> command = request.cxx;
  std::vector<std::string> options = compile_options(spec, space, config);
  command.insert(command.end(), options.begin(), options.end());

  const std::string hash = cache_key(source_text, shim_text, command, request);
  const fs::path artifact_path = request.cache_dir / (hash + ".so");
  CompileOutcome outcome;
  outcome.artifact = Artifact{artifact_path, kEntrySymbol, hash, {}};
  if (backends::cached_file_usable(artifact_path)) {
    outcome.ok = true;
    outcome.cached = true;
    return outcome;
  }

  backends::create_cache_folder(request.cache_dir);
  const fs::path shim_path = request.cache_dir / (hash + ".cpp");
  if (!fs::exists(shim_path)) backends::write_file_atomically(shim_path, shim_text);

  backends::TemporaryFile output(backends::temporary_sibling(artifact_path));
  command.push_back(shim_path.string());
  command.push_back("-o");
  command.push_back(output.path().string());
  RunProcessOptions run_options;
  run_options.timeout_s = request.timeout_s;
  // Relative paths in the spec's flags (-I include) are relative to the spec's folder.
  const fs::path& anchor = spec.spec_path.empty() ? spec.source : spec.spec_path;
  run_options.working_dir = anchor.parent_path();
  // tuna compiles inside a compile child that the evaluator kills as a whole process group on
  // its timeout; the compiler must stay in that group so that it dies too.
  run_options.own_process_group = false;
  ProcessResult run = run_process(command, run_options);
  if (!run.started)
    throw UserError(fmt::format(
        "host backend: cannot start the C++ compiler ({}). Install g++ or clang++, or name one "
        "with TUNA_CXX.",
        run.spawn_error));
  if (run.timed_out)
    return backends::compile_failure(
        "timeout",
        fmt::format("the compiler ran longer than {} s and was killed", request.timeout_s),
        std::move(run.output));
  if (!run.ok()) {
    std::string message = first_error_line(run.output);
    if (message.empty()) message = "the compiler failed with " + run.describe();
    // An error in the generated wrapper means the call does not match the user's function, or
    // a constant argument's global is missing.
    const std::string wrapper_name = shim_path.filename().string() + ":";
    if (message.rfind(wrapper_name, 0) == 0) {
      const std::string error = message.substr(message.find(' ') + 1);
      const Argument* constant = constant_named_in(spec, error);
      if (constant == nullptr)
        message = fmt::format(
            "in the call tuna generates: {} (check that kernel.entry names the function and that "
            "[[args]] match its parameters in order and type)",
            error);
      else if (error.find("role = constant") != std::string::npos)
        message = error;  // the shim's own static_assert says what is wrong
      else
        message = fmt::format(
            "in the code tuna generates for args.{0} (role = \"constant\"): {1} (declare the "
            "global '{2}' in the kernel's source, outside any namespace and not const, or set "
            "args.{0}.symbol to its name)",
            constant->name, error, constant_symbol(*constant));
    }
    return backends::compile_error_outcome(std::move(message), std::move(run.output));
  }
  output.commit_as(artifact_path);
  outcome.ok = true;
  outcome.compile_ms = run.elapsed_ms;
  outcome.log = std::move(run.output);  // warnings, if any
  return outcome;
}

}  // namespace tuna::host
