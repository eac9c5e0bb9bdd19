#pragma once
// Evaluator: takes a batch of configs and returns one Result per config, in the same order,
// never throwing for a bad config. Steps: validate against the Space (invalid); compile in
// parallel child processes (compile_error, timeout); run one at a time in the bench worker
// (runtime_error, timeout); compare outputs with the reference (wrong_result). Each Result is
// handed to the sink as soon as it is final, before the next config runs.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"

namespace tuna {

struct EvaluatorOptions {
  std::filesystem::path exe;        // the tuna binary (children run it); see default_tuna_exe()
  std::filesystem::path cache_dir;  // compiled artifacts and worker logs
  int compile_jobs = 0;             // compile child processes at once; 0: one per core
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
};

// Where the evaluator's wall time went, for throughput figures (bench/, docs/benchmarking.md).
struct EvaluatorStats {
  double compile_wall_s = 0;  // wall time during which at least one compile was in flight
  double run_s = 0;           // time spent in the bench worker (checked runs and timing)
  double evaluate_wall_s = 0; // wall time inside evaluate() and retime()
  std::size_t compiled = 0, ran = 0;
};

using ResultSink = std::function<void(const Result&)>;

class Evaluator {
 public:
  // Starts the bench worker for spec.backend and learns the device. Throws UserError when the
  // backend is unavailable.
  Evaluator(const KernelSpec& spec, EvaluatorOptions options);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  const DeviceInfo& device() const;
  const Space& space() const;
  const EvaluatorOptions& options() const;
  // Changes the compile timeout for the configs evaluated from now on (the LLM-guided search
  // caps it while it explores).
  void set_compile_timeout_s(double seconds);
  const EvaluatorStats& stats() const;

  // The reference outputs are made on first use (the default config, or the reference kernel).
  // Throws UserError when the reference itself fails: nothing can be checked without it.
  std::vector<Result> evaluate(const std::vector<Config>& configs, const ResultSink& sink = {});
  // Times configs again, without the correctness check (they passed it already). Failed
  // re-timings come back with their failure status.
  std::vector<Result> retime(const std::vector<Config>& configs, const TimingOptions& timing);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The tuna binary to run as a child: $TUNA_EXE, else this process's own executable when it is
// tuna, else `tuna` next to it. Throws UserError when none exists.
std::filesystem::path default_tuna_exe();
// $TUNA_CACHE_DIR, else $XDG_CACHE_HOME/tuna, else ~/.cache/tuna.
std::filesystem::path default_cache_dir();

}  // namespace tuna
