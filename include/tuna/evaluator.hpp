#pragma once
// Evaluator: takes a batch of configs and returns one Result per config, in the same order,
// never throwing for a bad config. Steps: validate against the Space (invalid); compile in
// parallel child processes (compile_error, timeout); run one at a time in the bench worker
// (runtime_error, timeout); compare outputs with the reference (wrong_result). Each Result is
// handed to the sink as soon as it is final, before the next config runs.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <memory>
#include <utility>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/device.hpp"
#include "tuna/errors.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"

namespace tuna {

class EvaluatorPeer;  // below: devices on another host (cluster mode)

struct EvaluatorOptions {
  // The tuna binary (children run it). Empty: $TUNA_EXE, else this program when it is tuna, else
  // the tuna installed with the package this program was built against (docs/package.md), else
  // `tuna` beside this program. The Evaluator throws UserError when none exists.
  std::filesystem::path exe;
  // Compiled artifacts and worker logs. Empty: $TUNA_CACHE_DIR, else $XDG_CACHE_HOME/tuna, else
  // ~/.cache/tuna.
  std::filesystem::path cache_dir;
  int compile_jobs = 0;             // compile child processes at once; 0: one per core
  // Niceness added to each compile child (0-19): the bench workers, which keep the devices fed,
  // get the CPU before the compilers when every core is compiling (docs/cli.md, --compile-nice).
  int compile_nice = 10;
  double compile_timeout_s = 120;
  double run_timeout_s = 30;        // per config: the checked run plus timing
  TimingOptions timing;
  std::uint64_t seed = 1;           // input data
  // Run each config as soon as it is compiled, while the rest of the batch compiles. On by
  // default for device backends (compiling on the CPU does not disturb a GPU's timing); off for
  // the host backend, whose kernels would share the CPU with the compilers.
  enum class Overlap { Auto, On, Off } overlap = Overlap::Auto;
  // Environment for the bench worker and compile children, laid over this process's: how
  // device choices (TUNA_CUDA_DEVICE, TUNA_OPENCL_PLATFORM, TUNA_OPENCL_DEVICE) reach them.
  std::vector<std::pair<std::string, std::string>> child_env;
  // The devices to measure on, one bench worker each, all fed by the one compile pool: "0,1",
  // "all", or "" for the backend's default device (the --devices flag).
  std::string devices;
  // Devices of other models are refused (their timings do not compare) unless this is set; the
  // driver then runs one search per model (driver.hpp).
  bool allow_mixed_devices = false;
  // Other hosts' devices (cluster mode): configs are shared out among these and this host's own.
  std::vector<std::shared_ptr<EvaluatorPeer>> peers;
  // Once set (Ctrl-C), no new config of a batch is started; those compiling or running finish,
  // and evaluate() returns the results of those only.
  const std::atomic<bool>* stop_requested = nullptr;
};

// Where the evaluator's wall time went, for throughput figures (bench/, docs/benchmarking.md).
struct EvaluatorStats {
  double compile_wall_s = 0;  // wall time during which at least one compile was in flight
  double run_s = 0;           // time spent in this host's bench workers, summed over devices
  double evaluate_wall_s = 0; // wall time inside evaluate() and retime()
  std::size_t compiled = 0, ran = 0;
  std::map<std::string, std::size_t> ran_on;   // configs run per device label (peers' included)
  std::map<std::string, double> busy_s_on;     // bench-worker time per device of this host
  // Where this host's bench workers spent their time, summed over devices, in seconds: "start"
  // (the worker process and its device context), "spec" and "arguments" (parsing the spec,
  // making and uploading the inputs), "reference_compile" (waiting for the reference's compile,
  // which runs beside "arguments"), "reference_run", "reference_kept" (keeping the reference
  // outputs for the checks), and per config "restore" (inputs restored,
  // outputs poisoned), "checked_run" (loading the artifact and one run), "check" and
  // "timed_runs" (warm-up and repetitions). Only the phases that happened appear.
  std::map<std::string, double> worker_phase_s;
};

using ResultSink = std::function<void(const Result&)>;
// Called when every config of a batch has been handed out while some are still compiling or
// running: returns more configs for the same batch (none: the batch ends with its last result).
// Lets a strategy keep the devices busy across what would otherwise be batch boundaries. Calls
// are serialised with the sink's.
using BatchRefill = std::function<std::vector<Config>()>;

// One config of a batch, handed out one at a time to whichever device (or host) is free.
struct EvaluationJob {
  std::size_t index = 0;  // its place in the caller's batch
  Config config;
};
// Gives the next job, or nullopt when there is none left; may block (cluster mode). Called from
// several threads at once.
using JobSource = std::function<std::optional<EvaluationJob>()>;
// Receives each Result as soon as it is final, with its job's index. Calls are serialised.
using JobDone = std::function<void(std::size_t, const Result&)>;

// What a batch asks of every device that takes part in it, this host's and peers'.
struct PeerBatchSettings {
  bool check = true;  // compare with the reference (false when re-timing)
  TimingOptions timing;
  double compile_timeout_s = 120;
};

// A peer: devices on another host that take part in a run (EvaluatorOptions::peers; tuna's
// cluster mode makes one per MPI rank). The evaluator hands a peer configs the same way it hands
// them to its own compile pool, one at a time from the batch's queue, so fast hosts take more;
// the peer compiles, runs and checks them on its own devices, exactly as a single-host run
// would, and returns Results.
class EvaluatorPeer {
 public:
  virtual ~EvaluatorPeer() = default;
  // For messages: "rank 2 (node7)".
  virtual std::string name() const = 0;
  // The devices it measures on, all of the run's model (the Evaluator refuses others).
  virtual const std::vector<DeviceInfo>& devices() const = 0;
  // How many configs it can usefully hold at once (its compile jobs plus its devices): the
  // evaluator's batches are made large enough to fill every peer.
  virtual std::size_t capacity() const = 0;
  // Takes configs from `next` until it returns nullopt, evaluates them and hands each Result to
  // `done` (with the job's index) as soon as it arrives. Returns once every config it took has a
  // Result. Throws UserError when the peer reports a failure it cannot record as a Result.
  virtual void evaluate(const JobSource& next, const PeerBatchSettings& settings,
                        const JobDone& done) = 0;
};

// Devices of different models were asked for without allow_mixed_devices: their timings cannot
// be compared. The message lists them; `models` holds each model's selectors, for a driver that
// runs one search per model.
class MixedDevicesError : public UserError {
 public:
  MixedDevicesError(const std::string& message, std::vector<std::vector<std::string>> models)
      : UserError(message), models(std::move(models)) {}
  std::vector<std::vector<std::string>> models;
};

class Evaluator {
 public:
  // Starts the bench worker for spec.backend and learns the device. Throws UserError when the
  // backend is unavailable.
  Evaluator(const KernelSpec& spec, EvaluatorOptions options);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // The first device (the one re-timings and the final shootout use); devices() lists all of
  // this host's, peers' devices excluded.
  const DeviceInfo& device() const;
  std::vector<DeviceInfo> devices() const;
  // The labels results carry, in the order of devices() ("cuda:0", "cuda:1").
  std::vector<std::string> device_labels() const;
  // Configs the evaluator can usefully hold at once: compile jobs, plus one per device, plus
  // every peer's capacity. A batch at least this large keeps every device busy.
  std::size_t parallelism() const;
  const Space& space() const;
  const EvaluatorOptions& options() const;
  // Changes the compile timeout for the configs evaluated from now on (the LLM-guided search
  // caps it while it explores).
  void set_compile_timeout_s(double seconds);
  const EvaluatorStats& stats() const;

  // The reference outputs are made on first use (the default config, or the reference kernel).
  // Throws UserError when the reference itself fails: nothing can be checked without it.
  // Results come back in the order of `configs`, then of what `refill` added; after a stop
  // request (EvaluatorOptions::stop_requested), configs never started have none.
  std::vector<Result> evaluate(const std::vector<Config>& configs, const ResultSink& sink = {},
                               const BatchRefill& refill = {});
  // Times configs again, without the correctness check (they passed it already). Failed
  // re-timings come back with their failure status.
  // All on the first device, one after the other, so the timings compare with each other.
  std::vector<Result> retime(const std::vector<Config>& configs, const TimingOptions& timing);
  // Evaluates (with the correctness check) configs taken from `next` until it returns nullopt,
  // on this host's devices only: what a cluster peer runs for the host that leads the run.
  void evaluate_stream(const JobSource& next, const TimingOptions& timing, const JobDone& done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuna
