#pragma once
// Driver: one tuning run. Builds the evaluator (and so the reference), measures the default
// config first, then loops propose -> evaluate -> observe under the budget, reusing results
// already in the store, and ends with an interleaved shootout of the best configs so the
// answer does not hinge on one noisy measurement.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuna/evaluator.hpp"
#include "tuna/prior.hpp"
#include "tuna/result.hpp"
#include "tuna/search.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"
#include "tuna/strategy.hpp"

namespace tuna {

struct TuneOptions {
  // strategy.priors: priors the caller read (`--prior FILE`); the run keeps the entries valid in
  // its Space.
  StrategyOptions strategy;
  // The search also gets, as priors, what the store holds of this kernel on other devices,
  // problems and spec versions (docs/priors.md): a model-free strategy through its
  // StrategyOptions, any Search through SearchServices::priors(). A store prior that cannot be
  // read is a warning, never a failed run.
  bool priors_from_store = true;
  std::size_t max_evals = 100;   // configs considered, measured or reused; 0: no limit
  double time_budget_s = 0;      // wall-clock seconds; 0: no limit
  std::size_t batch_size = 0;    // configs per propose(); 0: Evaluator::parallelism()
  bool fresh = false;            // re-measure configs already in the store
  // Ask the strategy for more while a batch's last configs still compile or run, when it can
  // propose with results pending (random, exhaustive, surrogate); off: batch by batch.
  bool lookahead = true;
  int finalists = 5;             // configs in the final shootout...
  double finalists_within = 1.5; // ...among those within this factor of the best
  int shootout_rounds = 5;       // interleaved re-timings of every finalist
  EvaluatorOptions evaluator;
  // Set from a signal handler: the run stops after the config in flight and is marked
  // interrupted; everything measured is already in the store.
  const std::atomic<bool>* stop_requested = nullptr;
  // The search to run. When empty, the model-free strategy named in `strategy` runs (measuring
  // the default config first, with lookahead as set above). The LLM-guided searches (llm,
  // hybrid) need a provider and are set here (the CLI builds them from its --llm flags); so is
  // any Search an application writes itself (tuna/search.hpp).
  std::shared_ptr<Search> search;
};

struct TuneProgress {
  std::size_t considered = 0;  // measured + reused
  std::size_t measured = 0;
  std::size_t reused = 0;
  std::map<Status, std::size_t> counts;
  const Result* best = nullptr;
  double elapsed_s = 0;
};

class TuneObserver {
 public:
  virtual ~TuneObserver() = default;
  virtual void on_start(const KernelSpec&, const DeviceInfo&, const Space&, const TuneOptions&,
                        std::size_t /*stored_results*/) {}
  virtual void on_result(const Result&, const TuneProgress&) {}
  virtual void on_phase(const std::string&) {}
};

// A prior the search was given, and how well it predicted this run.
struct PriorReport {
  std::string label;
  std::size_t configs = 0;   // entries valid in this run's Space
  bool from_store = false;   // found in the store, not given by the caller
  PriorAgreement agreement;  // over the configs this run measured (or reused) correctly
};

struct Throughput {
  std::optional<double> gflops;
  std::optional<double> gbps;
};

struct TuneSummary {
  std::int64_t run_id = 0;
  // The spec's content hash, as the run's store context holds it (computed once: it reads the
  // source and every data file).
  std::string spec_hash;
  DeviceInfo device;
  std::string kernel_name;
  std::string strategy;
  std::string stop_reason;           // why the search ended
  std::optional<Result> best;        // the shootout's winner
  std::optional<Result> default_result;
  std::vector<Result> finalists;     // with their shootout timings, best first
  TuneProgress progress;             // final counts (progress.best is not valid here)
  double elapsed_s = 0;
  // Before elapsed_s starts: starting the device workers (the driver and a context on each
  // device), the store's context (the spec's hash reads every data file) and the priors.
  double setup_s = 0;
  Throughput best_throughput, default_throughput;
  bool interrupted = false;
  EvaluatorStats evaluator_stats;    // where the evaluation time went
  std::vector<PriorReport> priors;   // in the order the search was given them
  // The key of every config this run considered (measured, or reused from the store), in the
  // order it considered them: what "this run's results" means when the store holds more.
  std::vector<std::string> considered_keys;
};

StoreContext store_context(const KernelSpec& spec, const DeviceInfo& device);
// GFLOP/s and GB/s of a result, when the spec has metrics and the result is ok.
Throughput throughput_of(const KernelSpec& spec, const Space& space, const DeviceInfo& device,
                         const Result& result);

TuneSummary tune(const KernelSpec& spec, const TuneOptions& options, Store& store,
                 TuneObserver& observer);

// tune(), except that devices of several models, when options.evaluator.allow_mixed_devices
// lets them in, get one run each, at once, each model's results kept apart in the store (its
// own device context) and summarised on its own. One summary per model.
std::vector<TuneSummary> tune_each_model(const KernelSpec& spec, const TuneOptions& options,
                                         Store& store, TuneObserver& observer);

}  // namespace tuna
