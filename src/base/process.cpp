#include "base/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>

#include "tuna/errors.hpp"

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace tuna {
namespace {

using Clock = std::chrono::steady_clock;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { posix_spawnattr_init(&attr_); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

// Pipe ends the parent keeps, plus the ends handed to the child (closed once it started).
struct ChildPipes {
  UniqueFd output_read, output_write;
  UniqueFd stdin_parent, stdin_child;
};

ChildPipes make_pipes(bool feed_stdin) {
  ChildPipes pipes;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw InternalError(fmt::format("run_process: pipe2 failed: {}", std::strerror(errno)));
  pipes.output_read = UniqueFd(out[0]);
  pipes.output_write = UniqueFd(out[1]);
  if (feed_stdin) {
    // A socket rather than a pipe: send(MSG_NOSIGNAL) reports a reader that went away as EPIPE
    // instead of raising SIGPIPE in this process.
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      throw InternalError(fmt::format("run_process: socketpair failed: {}", std::strerror(errno)));
    pipes.stdin_parent = UniqueFd(sv[0]);
    pipes.stdin_child = UniqueFd(sv[1]);
    ::shutdown(sv[1], SHUT_WR);
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  } else {
    pipes.stdin_child = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!pipes.stdin_child.valid())
      throw InternalError(
          fmt::format("run_process: cannot open /dev/null: {}", std::strerror(errno)));
  }
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  return pipes;
}

std::vector<std::string> environment_with(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string_view name = text.substr(0, text.find('='));
    bool overridden =
        std::any_of(extra.begin(), extra.end(), [&](const auto& kv) { return kv.first == name; });
    if (!overridden) env.emplace_back(text);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> pointers_of(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

class OutputCollector {
 public:
  explicit OutputCollector(std::size_t limit) : limit_(limit) {}

  // Reads what is available; returns false at end of file.
  bool read_available(int fd) {
    char chunk[65536];
    for (;;) {
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n > 0) {
        append(std::string_view(chunk, static_cast<std::size_t>(n)));
        continue;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }

  std::string take() { return std::move(text_); }
  bool truncated() const { return truncated_; }

 private:
  void append(std::string_view data) {
    std::size_t room = limit_ > text_.size() ? limit_ - text_.size() : 0;
    if (data.size() > room) truncated_ = true;
    text_.append(data.substr(0, room));
  }

  std::size_t limit_;
  std::string text_;
  bool truncated_ = false;
};

int milliseconds_until(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1'000'000));
}

// Reads the rest of the output. The group has been killed, so end of file comes at once unless
// a process left the group (setsid); the short limit covers that case.
void drain_output(UniqueFd& fd, OutputCollector& collector) {
  auto deadline = Clock::now() + std::chrono::milliseconds(500);
  while (fd.valid()) {
    pollfd p{fd.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, milliseconds_until(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    if (!collector.read_available(fd.get())) fd.reset();
  }
}

void record_wait_status(int status, ProcessResult& result) {
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
}

// The group leader stays a zombie until reaped, which keeps its process-group id reserved;
// killing the group before reaping therefore cannot hit an unrelated process.
void kill_group_and_reap(pid_t pid, bool own_group, ProcessResult& result) {
  if (own_group) {
    ::kill(-pid, SIGKILL);
  } else if (result.timed_out) {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  record_wait_status(status, result);
}

bool child_has_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno == ECHILD;
  return info.si_pid == pid;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// Feeds stdin, collects output and watches the child until it exits or the deadline passes.
// Returns true when the deadline passed first.
bool supervise(pid_t pid, ChildPipes& pipes, std::string_view stdin_text,
               std::optional<Clock::time_point> deadline, OutputCollector& collector) {
  // Without a pidfd (old kernels, seccomp) the loop wakes up periodically to look for the exit.
  UniqueFd pidfd(open_pidfd(pid));
  constexpr int kFallbackPollMs = 5;
  std::size_t written = 0;
  if (stdin_text.empty()) pipes.stdin_parent.reset();

  for (;;) {
    if (child_has_exited(pid)) return false;
    if (deadline && Clock::now() >= *deadline) return true;

    pollfd fds[3];
    nfds_t count = 0;
    int out_index = -1, in_index = -1;
    if (pipes.output_read.valid()) {
      out_index = static_cast<int>(count);
      fds[count++] = {pipes.output_read.get(), POLLIN, 0};
    }
    if (pipes.stdin_parent.valid()) {
      in_index = static_cast<int>(count);
      fds[count++] = {pipes.stdin_parent.get(), POLLOUT, 0};
    }
    if (pidfd.valid()) fds[count++] = {pidfd.get(), POLLIN, 0};

    int wait_ms = deadline ? milliseconds_until(*deadline) : -1;
    if (!pidfd.valid())
      wait_ms = wait_ms < 0 ? kFallbackPollMs : std::min(wait_ms, kFallbackPollMs);
    int rc = ::poll(fds, count, wait_ms);
    if (rc < 0) {
      if (errno == EINTR) continue;
      throw InternalError(fmt::format("run_process: poll failed: {}", std::strerror(errno)));
    }
    if (out_index >= 0 && fds[out_index].revents != 0) {
      if (!collector.read_available(pipes.output_read.get())) pipes.output_read.reset();
    }
    if (in_index >= 0 && fds[in_index].revents != 0) {
      std::string_view rest = stdin_text.substr(written);
      ssize_t n =
          ::send(pipes.stdin_parent.get(), rest.data(), rest.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) written += static_cast<std::size_t>(n);
      bool failed = n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
      // The reader going away early (EPIPE) is the command's business, not an error here.
      if (failed || written == stdin_text.size()) pipes.stdin_parent.reset();
    }
  }
}

}  // namespace

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    case SIGSYS:
      return "SIGSYS";
    case SIGALRM:
      return "SIGALRM";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    default:
      return fmt::format("signal {}", signal_number);
  }
}

std::string ProcessResult::describe() const {
  if (!started) return "could not start: " + spawn_error;
  if (timed_out) return fmt::format("timed out after {:.3g} s", elapsed_ms / 1000.0);
  if (signal != 0) return "killed by " + signal_name(signal);
  return fmt::format("exit status {}", exit_code);
}

ProcessResult run_process(const std::vector<std::string>& argv, const RunProcessOptions& options) {
  TUNA_ASSERT(!argv.empty(), "run_process needs a command");
  ProcessResult result;
  auto start = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (options.timeout_s > 0)
    deadline = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(options.timeout_s));

  ChildPipes pipes = make_pipes(!options.stdin_text.empty());
  SpawnFileActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), pipes.stdin_child.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), pipes.output_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), pipes.output_write.get(), STDERR_FILENO);
  if (!options.working_dir.empty())
    posix_spawn_file_actions_addchdir_np(actions.get(), options.working_dir.c_str());

  SpawnAttributes attributes;
  sigset_t no_signals, all_signals;
  sigemptyset(&no_signals);
  sigfillset(&all_signals);
  // A new group (so the whole tree can be killed), an empty signal mask and default handlers,
  // whatever this process blocks or ignores.
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.own_process_group) flags |= POSIX_SPAWN_SETPGROUP;
  posix_spawnattr_setflags(attributes.get(), flags);
  posix_spawnattr_setpgroup(attributes.get(), 0);
  posix_spawnattr_setsigmask(attributes.get(), &no_signals);
  posix_spawnattr_setsigdefault(attributes.get(), &all_signals);

  std::vector<std::string> args(argv);
  std::vector<char*> c_args = pointers_of(args);
  std::vector<std::string> env = environment_with(options.extra_env);
  std::vector<char*> c_env = pointers_of(env);

  pid_t pid = -1;
  int rc =
      ::posix_spawnp(&pid, c_args[0], actions.get(), attributes.get(), c_args.data(), c_env.data());
  pipes.output_write.reset();
  pipes.stdin_child.reset();
  if (rc != 0) {
    result.spawn_error = fmt::format("{}: {}", argv[0], std::strerror(rc));
    if (!options.working_dir.empty() && rc == ENOENT &&
        !std::filesystem::exists(options.working_dir))
      result.spawn_error =
          fmt::format("working directory {} does not exist", options.working_dir.string());
    result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return result;
  }
  result.started = true;

  OutputCollector collector(options.max_output_bytes);
  result.timed_out = supervise(pid, pipes, options.stdin_text, deadline, collector);
  kill_group_and_reap(pid, options.own_process_group, result);
  if (result.timed_out) result.signal = SIGKILL, result.exit_code = -1;
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  drain_output(pipes.output_read, collector);
  result.output = collector.take();
  result.output_truncated = collector.truncated();
  return result;
}

std::vector<std::string> make_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  return environment_with(extra);
}

std::vector<char*> as_c_array(std::vector<std::string>& strings) { return pointers_of(strings); }

}  // namespace tuna
