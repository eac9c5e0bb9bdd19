#pragma once
// Parent side of the bench worker (see worker_protocol.hpp): starts `tuna __bench-worker`,
// sends commands with a deadline, and turns a crash or a hang into a WorkerReply instead of an
// exception, so the evaluator can record the failure and go on with a fresh worker.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuna/device.hpp"

namespace tuna::eval {

struct WorkerOptions {
  std::filesystem::path exe;       // the tuna binary
  std::string backend;             // backend name, sent with hello
  std::filesystem::path log_path;  // the worker's stdout and stderr
  // Laid over this process's environment for the worker (e.g. TUNA_CUDA_DEVICE from a flag).
  std::vector<std::pair<std::string, std::string>> env;
};

struct WorkerReply {
  enum class Kind { Reply, Died, TimedOut };
  Kind kind = Kind::Reply;
  nlohmann::json message;   // with Kind::Reply
  std::string error_class;  // with Died: "SIGSEGV", "exit_3", ...; with TimedOut: "timeout"
  std::string detail;       // one line: what happened, and the worker's last output line
};

class BenchWorker {
 public:
  explicit BenchWorker(WorkerOptions options);
  ~BenchWorker();
  BenchWorker(const BenchWorker&) = delete;
  BenchWorker& operator=(const BenchWorker&) = delete;

  bool running() const { return pid_ > 0; }
  // Starts the process and says hello; returns the device it found. Throws UserError when the
  // backend cannot start (no device, no driver), with the worker's own explanation.
  DeviceInfo start(std::chrono::milliseconds timeout);
  // Sends one command and waits for its reply. On a closed pipe or a timeout the worker is
  // killed (its whole process group) and reaped; the reply says why.
  WorkerReply call(const nlohmann::json& request, std::chrono::milliseconds timeout);
  void stop();

 private:
  void spawn();
  WorkerReply reap_after_failure(WorkerReply::Kind kind);
  std::string last_log_line() const;
  void close_pipes();

  WorkerOptions options_;
  pid_t pid_ = -1;
  int request_fd_ = -1;  // we write commands here
  int reply_fd_ = -1;    // we read replies here
};

// "SIGSEGV (Segmentation fault)"-style description of a signal number.
std::string signal_description(int signal_number);

}  // namespace tuna::eval
