#pragma once
// `tuna compare`: strategies x recorded spaces x seeded runs, replayed in-process, scored as
// t_opt / t_found at fixed budgets (../shared/datasets/README.md). Budgets count unique
// evaluations; failed configs count; configs outside the recorded space are never proposed.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/replay_pipeline.hpp"
#include "store/recorded_space.hpp"
#include "tuna/prior.hpp"
#include "tuna/search.hpp"
#include "tuna/spec.hpp"

namespace tuna::search {

// One run of an LLM strategy (llm, hybrid): what its transcript lines and store run are keyed by.
struct CompareRunKey {
  std::string space;  // RecordedSpace::name
  std::string strategy;
  std::uint64_t seed = 0;
};

// Builds the search for one run of an LLM strategy. `log` writes to that run's log (a replayed
// client notes there when a prompt differs from the recorded one).
using GuidedSearchFactory = std::function<std::shared_ptr<Search>(
    const CompareRunKey& key, const std::function<void(const std::string&)>& log)>;

struct CompareOptions {
  std::vector<std::string> strategies = {"random",  "pattern",           "differential_evolution",
                                         "simulated_annealing", "genetic_algorithm",
                                         "surrogate"};
  std::vector<std::size_t> budgets = {20, 50, 100, 200};
  // Fractions of the optimum whose evaluations-to-reach are reported.
  std::vector<double> targets = {0.95, 0.98};
  std::size_t runs = 20;
  std::uint64_t seed = 1;  // run r of every strategy uses seed + r
  sim::ReplayNoise noise = sim::ReplayNoise::Median;
  std::size_t batch_size = 1;  // configs per propose()
  unsigned threads = 0;        // 0: one per hardware thread
  // Set: every run goes through a modelled evaluator (replay_pipeline.hpp) whose time the
  // report shows (the devices' idle share); results then arrive as that evaluator would return
  // them, and with `lookahead` the strategies that can are asked for more while configs are in
  // flight, as in a tuning run (TuneOptions::lookahead).
  std::optional<PipelineShape> pipeline;
  bool lookahead = true;
  // The priors of each space (tuna/prior.hpp: what the same kernel measured elsewhere), given to
  // every model-free strategy; empty or unset: no prior.
  std::function<std::vector<std::shared_ptr<const Prior>>(const sim::RecordedSpace&)> priors_for;
  // Each run gets the priors with their times shuffled among their configs, by the run's seed:
  // what a prior that misleads costs, on average over misleading priors.
  bool shuffle_priors = false;

  // LLM strategies ("llm", "hybrid" in `strategies`) run through make_guided, on a
  // SearchServices over the recording (compare_guided.hpp). They stop on their own (llm) or at
  // the largest budget (hybrid).
  GuidedSearchFactory make_guided;
  std::size_t guided_runs = 0;   // seeded runs per LLM strategy and space; 0: `runs`
  unsigned guided_threads = 1;   // LLM runs at once: a relay model answers one request at a time
  std::filesystem::path store;   // non-empty: each LLM run's exchanges go to a run of this store
  // Each line of an LLM run's log as it is written (the lines are also kept in its RunTrace).
  std::function<void(const CompareRunKey&, const std::string&)> on_guided_log;

  std::size_t runs_of(const std::string& strategy) const;
};

// What the LLM of one run, or of several summed, cost.
struct LlmUsage {
  std::size_t calls = 0;
  std::size_t failed_calls = 0;  // provider failures (a fallback or an abort followed)
  std::int64_t input_tokens = 0, output_tokens = 0;
  double model_s = 0;  // the sum of the calls' latencies
  LlmUsage& operator+=(const LlmUsage& other);
};

// What an LLM run did besides its trace.
struct GuidedRunInfo {
  std::uint64_t seed = 0;
  std::size_t evaluations = 0;  // before the search stopped on its own or at the budget
  std::string stop_reason;
  LlmUsage llm;
  std::int64_t store_run = 0;  // the run in CompareOptions::store; 0: not stored
  std::vector<std::string> log;
  std::vector<double> score;  // t_opt / t_found per budget (summarise_runs fills it)
};

// The recorded (median) time of the best config a run had found after each evaluation,
// +infinity until one succeeded. With noisy replay "best" is what the strategy saw as best,
// scored by its true time.
struct RunTrace {
  std::vector<double> best_ms;
  std::optional<GuidedRunInfo> guided;  // LLM strategies only
  std::optional<PipelineTimes> pipeline;  // with CompareOptions::pipeline
};

// The seed of a run's replay noise stream, independent of the strategy's own generator.
std::uint64_t replay_noise_seed(std::uint64_t seed);

RunTrace run_on_recording(const sim::RecordedSpace& recorded, const std::string& strategy,
                          std::uint64_t seed, std::size_t max_evals, sim::ReplayNoise noise,
                          std::size_t batch_size);

struct StrategyStats {
  std::string strategy;
  std::vector<double> score;      // mean t_opt / t_found per budget
  // The standard error of each mean score: the runs' standard deviation over sqrt(runs)
  // (0 for the exact expectation, NaN with a single run); over spaces, that of the mean of
  // means. Two means closer than about twice their combined error are within the noise.
  std::vector<double> score_stderr;
  std::vector<double> evals_to;   // mean evaluations to reach each target, capped at the
                                  // largest budget for runs that never did
  std::vector<double> reached;    // fraction of runs that reached each target
  std::vector<double> curve;      // mean score after 1, 2, ..., largest budget evaluations
  bool exact = false;             // the exact expectation of random search
  std::size_t runs = 0;           // runs averaged (per space; 0 for the exact expectation)
  // With CompareOptions::pipeline: the mean share of the devices' time with no config on them,
  // and the mean number of batches (each one after the first drained the devices).
  std::optional<double> idle_share;
  std::optional<double> batches;
  // LLM strategies: what the model cost, summed over the runs (over spaces in the average),
  // and each run's details (per space only).
  std::optional<LlmUsage> llm;
  std::vector<GuidedRunInfo> guided_runs;
};

struct SpaceStats {
  std::string name;
  std::size_t configs = 0;     // valid configs (what a strategy can propose)
  std::size_t ok_configs = 0;  // of which ran correctly
  double optimum_ms = 0;
  // Per prior given (CompareOptions::priors_for): where it came from, and how well its times
  // rank this space's configs (over every config both ran correctly; the strategies never see
  // this figure, it says how good a prior they were given).
  struct PriorNote {
    std::string label;
    PriorAgreement agreement;
  };
  std::vector<PriorNote> priors;
  std::vector<StrategyStats> strategies;  // options order, then random search's expectation
};

struct CompareReport {
  CompareOptions options;
  std::vector<SpaceStats> spaces;
  std::vector<StrategyStats> average;  // the mean over spaces of each row
  double seconds = 0;
};

// Scores one set of traces of a space with optimum `optimum_ms` (exposed for tests).
StrategyStats summarise_runs(const std::string& strategy, const std::vector<RunTrace>& runs,
                             double optimum_ms, const CompareOptions& options);
StrategyStats random_search_stats(const sim::RecordedSpace& recorded,
                                  const CompareOptions& options);

// Runs everything on a pool of threads; results do not depend on the number of threads.
// `progress` (optional) is called after each finished run with (done, total). LLM strategies
// need `specs`, one per space (the kernel and device the LLM is told about); without them a spec
// is made from each recording (sim::spec_from_recorded_space).
CompareReport run_compare(const std::vector<sim::RecordedSpace>& spaces,
                          const CompareOptions& options,
                          const std::function<void(std::size_t, std::size_t)>& progress = {},
                          const std::vector<KernelSpec>& specs = {});

}  // namespace tuna::search
