// The command provider: an external program answers. It reads the request JSON (as stored, see
// request_json_for_store) on standard input and writes the reply text on standard output; its
// standard error is kept apart so that progress chatter never ends up in the reply.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "base/one_line.hpp"
#include "base/process.hpp"
#include "llm/providers.hpp"
#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

// A private temporary file, removed when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tuna-llm-stderr-XXXXXX");
    int fd = mkstemp(pattern.data());
    TUNA_ASSERT(fd >= 0, "cannot create a temporary file for the LLM command's standard error");
    close(fd);
    path_ = pattern;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return {};
  std::size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return eval::one_line(text.substr(start, end - start + 1), 300);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Only the program's name is shown: its arguments may hold something private.
std::string program_name(const std::string& command) {
  std::size_t start = command.find_first_not_of(" \t");
  if (start == std::string::npos) return {};
  std::size_t end = command.find_first_of(" \t", start);
  return command.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class CommandLlmClient final : public LlmClient {
 public:
  explicit CommandLlmClient(const ProviderSettings& settings)
      : command_(settings.command),
        model_(settings.model),
        timeout_s_(settings.request_timeout_s) {}

  std::string provider() const override { return "command"; }
  std::string model() const override { return model_; }

  LlmReply complete(const LlmRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    TempFile stderr_file;
    RunProcessOptions options;
    options.timeout_s = timeout_s_;
    options.stdin_text = request_json_for_store(request, model_);
    // The shell runs the command line as the user wrote it (quotes, pipes) with its standard
    // error sent to the file; $1 and $2 keep both strings out of the script's own text.
    std::vector<std::string> argv = {"/bin/sh",
                                     "-c",
                                     "exec 2>\"$1\"; eval \"$2\"",
                                     "tuna-llm-command",
                                     stderr_file.path().string(),
                                     command_};
    auto start = std::chrono::steady_clock::now();
    ProcessResult result = run_process(argv, options);
    if (!result.ok()) {
      std::string why = last_line(read_file(stderr_file.path()));
      throw LlmError(fmt::format(
          "command: the LLM command '{}' failed ({}){}. Check the command (--llm-command or "
          "TUNA_LLM_COMMAND): it reads the request JSON on standard input and writes the reply "
          "on standard output.",
          program_name(command_), result.describe(), why.empty() ? "" : ": " + why));
    }
    LlmReply reply;
    reply.text = result.output;
    reply.latency_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return reply;
  }

 private:
  std::string command_;
  std::string model_;
  double timeout_s_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<LlmClient> make_command_client(const ProviderSettings& settings) {
  return std::make_unique<CommandLlmClient>(settings);
}

}  // namespace tuna::llm
