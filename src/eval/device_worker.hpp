#pragma once
// One device of a run and the bench worker that owns it. The worker is prepared (arguments,
// then the reference outputs) before its first config and again after any crash, so each device
// checks results against references it computed itself. Used by one thread at a time.
#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <utility>

#include "eval/bench_worker.hpp"
#include "tuna/backend.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"

namespace tuna::eval {

// What every device worker of a run shares.
struct DeviceWorkerSetup {
  const KernelSpec* spec = nullptr;
  std::string spec_toml;  // spec_to_toml(*spec), sent to the worker
  std::uint64_t seed = 1;
  double run_timeout_s = 30;
  // The compiled reference (the default config, or the reference kernel); called on first need
  // from any worker's thread, so it must be safe to call from several threads.
  std::function<Artifact()> reference;
  std::string reference_key;  // the default config's key
};

class DeviceWorker {
 public:
  // `spec` (optional, outlives the worker) may state the device it describes: a sim spec's
  // [device] table names the recorded device, which then stands for the backend's own.
  DeviceWorker(WorkerOptions options, std::string selector, const KernelSpec* spec = nullptr);

  // Starts the worker and learns the device (device_for_spec); throws UserError when it cannot
  // start.
  const DeviceInfo& start();
  const DeviceInfo& device() const { return device_; }
  const std::string& selector() const { return selector_; }
  const std::string& label() const { return label_; }
  // For a worker started on the backend's default device and then found to be the device that
  // `selector` names ("all" starts one to count the devices): it keeps its process.
  void name_selector(std::string selector) { selector_ = std::move(selector); }

  // Prepares the worker now (its arguments, then the reference outputs, compiling the reference
  // when it is a kernel or the default config), so that this overlaps the first compiles
  // instead of following them. An error is kept and thrown by the next run(), where it always
  // was: preparing is still tried once, and a run whose reference fails ends as before.
  void prepare_ahead(const DeviceWorkerSetup& setup) noexcept;

  // Runs one compiled config and fills `result` (status, times, resources, device). A crash or
  // a hang becomes the result's status and the next call starts a fresh worker. Throws
  // UserError when the worker cannot be prepared (the reference itself fails).
  Result run(Result result, const CompileOutcome& compiled, bool check,
             const TimingOptions& timing, const DeviceWorkerSetup& setup);

  // Seconds spent in each phase since the last call (EvaluatorStats::worker_phase_s says which),
  // then forgets them.
  std::map<std::string, double> take_phase_seconds() { return std::exchange(phase_s_, {}); }

 private:
  // Starts the worker process (a fresh one after a crash), counted as the "start" phase.
  DeviceInfo start_worker();
  void add_phases(const nlohmann::json& reply);
  void ensure_prepared(const DeviceWorkerSetup& setup);
  // Runs the reference and keeps its outputs; `compiling` is its compile, started with the
  // arguments (unused when the reference is expected files).
  void make_reference(const DeviceWorkerSetup& setup, std::future<Artifact>& compiling);
  void expect_ok(const WorkerReply& reply, const std::string& doing) const;

  BenchWorker worker_;
  std::string selector_;
  const KernelSpec* spec_ = nullptr;
  std::string label_;
  DeviceInfo device_;
  bool prepared_ = false;
  std::exception_ptr ahead_error_;  // from prepare_ahead, for the next run() to throw
  std::map<std::string, double> phase_s_;
};

}  // namespace tuna::eval
