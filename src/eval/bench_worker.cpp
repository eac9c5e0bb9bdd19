#include "eval/bench_worker.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/codec.hpp"
#include "eval/message_channel.hpp"
#include "base/process.hpp"
#include "eval/worker_protocol.hpp"
#include "tuna/errors.hpp"

extern char** environ;

namespace tuna::eval {
namespace {

struct Pipe {
  int read_end = -1, write_end = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw InternalError("pipe2 failed: " + std::string(strerror(errno)));
    read_end = fds[0];
    write_end = fds[1];
  }
};

// The exit status of `pid` if it exits within `timeout`.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string signal_description(int signal_number) {
  const char* text = sigdescr_np(signal_number);
  return fmt::format("{} ({})", signal_name(signal_number), text ? text : "unknown signal");
}

BenchWorker::BenchWorker(WorkerOptions options) : options_(std::move(options)) {
  // A worker that dies while we write to it must not kill tuna with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
}

BenchWorker::~BenchWorker() { stop(); }

void BenchWorker::spawn() {
  Pipe to_worker, from_worker;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The protocol lives on fds 3 and 4; dup2 clears O_CLOEXEC on the targets.
  posix_spawn_file_actions_adddup2(&actions, to_worker.read_end, kRequestFd);
  posix_spawn_file_actions_adddup2(&actions, from_worker.write_end, kReplyFd);
  std::filesystem::create_directories(options_.log_path.parent_path());
  posix_spawn_file_actions_addopen(&actions, 1, options_.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a kernel that forks is killed with the worker.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

  std::string exe = options_.exe.string();
  std::vector<char*> argv = {exe.data(), const_cast<char*>("__bench-worker"), nullptr};
  pid_t pid;
  std::vector<std::string> env = make_environment(options_.env);
  std::vector<char*> envp = as_c_array(env);
  int rc = posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(to_worker.read_end);
  ::close(from_worker.write_end);
  if (rc != 0) {
    ::close(to_worker.write_end);
    ::close(from_worker.read_end);
    throw UserError(fmt::format("cannot start the bench worker '{}': {}. Check that the tuna "
                                "binary exists (set TUNA_EXE to its path).",
                                exe, strerror(rc)));
  }
  pid_ = pid;
  request_fd_ = to_worker.write_end;
  reply_fd_ = from_worker.read_end;
}

DeviceInfo BenchWorker::start(std::chrono::milliseconds timeout) {
  if (!running()) spawn();
  WorkerReply reply = call({{"cmd", "hello"}, {"backend", options_.backend}}, timeout);
  if (reply.kind != WorkerReply::Kind::Reply) {
    throw UserError(fmt::format("the {} bench worker did not start: {}", options_.backend,
                                reply.detail));
  }
  if (!reply.message.value("ok", false)) {
    stop();
    throw UserError(reply.message.value("error", std::string("unknown error")));
  }
  return codec::device_from_json(reply.message.at("device"));
}

WorkerReply BenchWorker::call(const nlohmann::json& request, std::chrono::milliseconds timeout) {
  TUNA_ASSERT(running(), "call on a worker that is not running");
  if (!write_message(request_fd_, request)) return reap_after_failure(WorkerReply::Kind::Died);
  ReadResult read = read_message(reply_fd_, timeout);
  if (read.status == ReadStatus::TimedOut) return reap_after_failure(WorkerReply::Kind::TimedOut);
  if (read.status == ReadStatus::Closed) return reap_after_failure(WorkerReply::Kind::Died);
  return {WorkerReply::Kind::Reply, std::move(read.message), "", ""};
}

WorkerReply BenchWorker::reap_after_failure(WorkerReply::Kind kind) {
  std::optional<int> status;
  // A closed pipe means the worker is dying: give it a moment so we learn how it died.
  if (kind == WorkerReply::Kind::Died) status = wait_for_exit(pid_, std::chrono::milliseconds(2000));
  if (!status) {
    ::kill(-pid_, SIGKILL);
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
    status = raw;
  }
  ::kill(-pid_, SIGKILL);  // anything the worker left behind in its process group
  close_pipes();
  pid_ = -1;

  WorkerReply reply;
  reply.kind = kind;
  if (kind == WorkerReply::Kind::TimedOut) {
    reply.error_class = "timeout";
    reply.detail = "did not finish before the timeout; the bench worker was killed";
  } else if (WIFSIGNALED(*status)) {
    reply.error_class = signal_name(WTERMSIG(*status));
    reply.detail = "the bench worker was killed by " + signal_description(WTERMSIG(*status));
  } else {
    reply.error_class = fmt::format("exit_{}", WEXITSTATUS(*status));
    reply.detail = fmt::format("the bench worker exited with status {}", WEXITSTATUS(*status));
  }
  std::string last = last_log_line();
  if (!last.empty()) reply.detail += "; its last output: " + last;
  return reply;
}

std::string BenchWorker::last_log_line() const {
  std::ifstream in(options_.log_path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.size() > 200) last = last.substr(0, 200) + "...";
  return last;
}

void BenchWorker::close_pipes() {
  close_fd(request_fd_);
  close_fd(reply_fd_);
}

void BenchWorker::stop() {
  if (!running()) return;
  write_message(request_fd_, {{"cmd", "exit"}});
  close_pipes();
  if (!wait_for_exit(pid_, std::chrono::milliseconds(1000))) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

}  // namespace tuna::eval
