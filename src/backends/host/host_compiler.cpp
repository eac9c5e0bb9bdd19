#include "backends/host/host_compiler.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>
#include <thread>

#include "backends/artifact_files.hpp"
#include "backends/host/host_shim.hpp"
#include "core/hash.hpp"
#include "eval/process.hpp"
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

bool is_usable_artifact(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

std::string strip_directories(std::string line) {
  // Only a path at the start of the line: "<path>:<line>:<col>: error: ...".
  auto colon = line.find(':');
  if (colon == std::string::npos) return line;
  auto slash = line.rfind('/', colon);
  if (slash == std::string::npos) return line;
  return line.substr(slash + 1);
}

std::string trim(std::string_view text) {
  std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string shorten(std::string line) {
  constexpr std::size_t kMaxMessage = 300;
  if (line.size() > kMaxMessage) line = line.substr(0, kMaxMessage - 3) + "...";
  return line;
}

CompileOutcome failure(std::string error_class, std::string message, std::string log) {
  CompileOutcome outcome;
  outcome.ok = false;
  outcome.error_class = std::move(error_class);
  outcome.message = std::move(message);
  outcome.log = std::move(log);
  return outcome;
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
      trim(std::string_view(result.output).substr(0, result.output.find('\n')));
  return first_line.empty() ? fmt::format("{}", fmt::join(cxx, " ")) : first_line;
}

std::string format_define(const std::string& format, const std::string& name,
                          const std::string& value) {
  std::string out;
  out.reserve(format.size() + name.size() + value.size());
  for (std::size_t i = 0; i < format.size();) {
    if (format.compare(i, 6, "{name}") == 0) {
      out += name;
      i += 6;
    } else if (format.compare(i, 7, "{value}") == 0) {
      out += value;
      i += 7;
    } else {
      out += format[i++];
    }
  }
  return out;
}

std::vector<std::string> compile_options(const KernelSpec& spec, const Space& space,
                                         const Config& config) {
  // Hidden visibility lets the compiler inline and specialise the user's helper functions, which
  // -fPIC would otherwise treat as interposable; the shim exports its entry points explicitly.
  std::vector<std::string> options = {"-std=c++20", "-O3", "-fPIC", "-shared",
                                      "-fvisibility=hidden"};
  options.insert(options.end(), spec.compiler_flags.begin(), spec.compiler_flags.end());
  for (std::size_t i = 0; i < space.params().size(); ++i)
    options.push_back(
        format_define(spec.define_format, space.params()[i].name, config[i].to_define()));
  return options;
}

std::string first_error_line(std::string_view log) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(log)};
  for (std::string line; std::getline(in, line);) lines.push_back(trim(line));
  // Diagnostics first ("x.cpp:3:1: error: ..."), then anything that mentions an error (linker,
  // driver), then the first line at all.
  for (const auto& line : lines)
    if (line.find(": error:") != std::string::npos ||
        line.find(": fatal error:") != std::string::npos)
      return shorten(strip_directories(line));
  for (const auto& line : lines)
    if (line.find("error") != std::string::npos) return shorten(strip_directories(line));
  for (const auto& line : lines)
    if (!line.empty()) return shorten(strip_directories(line));
  return {};
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
  if (is_usable_artifact(artifact_path)) {
    outcome.ok = true;
    outcome.cached = true;
    return outcome;
  }

  std::error_code ec;
  fs::create_directories(request.cache_dir, ec);
  if (ec)
    throw UserError(
        fmt::format("cannot create the artifact cache folder {}: {}. Choose a writable folder.",
                    request.cache_dir.string(), ec.message()));
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
    return failure(
        "timeout",
        fmt::format("the compiler ran longer than {} s and was killed", request.timeout_s),
        std::move(run.output));
  if (!run.ok()) {
    std::string message = first_error_line(run.output);
    if (message.empty()) message = "the compiler failed with " + run.describe();
    // An error in the generated wrapper means the call does not match the user's function.
    const std::string wrapper_name = shim_path.filename().string() + ":";
    if (message.rfind(wrapper_name, 0) == 0)
      message = fmt::format(
          "in the call tuna generates: {} (check that kernel.entry names the function and that "
          "[[args]] match its parameters in order and type)",
          message.substr(message.find(' ') + 1));
    return failure("compile_error", std::move(message), std::move(run.output));
  }
  output.commit_as(artifact_path);
  outcome.ok = true;
  outcome.compile_ms = run.elapsed_ms;
  outcome.log = std::move(run.output);  // warnings, if any
  return outcome;
}

}  // namespace tuna::host
