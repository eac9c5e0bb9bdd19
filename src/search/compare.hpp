#pragma once
// `tuna compare`: strategies x recorded spaces x seeded runs, replayed in-process, scored as
// t_opt / t_found at fixed budgets (../shared/datasets/README.md). Budgets count unique
// evaluations; failed configs count; configs outside the recorded space are never proposed.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backends/sim/recorded_space.hpp"

namespace tuna::search {

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
};

// The recorded (median) time of the best config a run had found after each evaluation,
// +infinity until one succeeded. With noisy replay "best" is what the strategy saw as best,
// scored by its true time.
struct RunTrace {
  std::vector<double> best_ms;
};

RunTrace run_on_recording(const sim::RecordedSpace& recorded, const std::string& strategy,
                          std::uint64_t seed, std::size_t max_evals, sim::ReplayNoise noise,
                          std::size_t batch_size);

struct StrategyStats {
  std::string strategy;
  std::vector<double> score;      // mean t_opt / t_found per budget
  std::vector<double> evals_to;   // mean evaluations to reach each target, capped at the
                                  // largest budget for runs that never did
  std::vector<double> reached;    // fraction of runs that reached each target
  std::vector<double> curve;      // mean score after 1, 2, ..., largest budget evaluations
  bool exact = false;             // the exact expectation of random search
};

struct SpaceStats {
  std::string name;
  std::size_t configs = 0;     // valid configs (what a strategy can propose)
  std::size_t ok_configs = 0;  // of which ran correctly
  double optimum_ms = 0;
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
// `progress` (optional) is called after each finished run with (done, total).
CompareReport run_compare(const std::vector<sim::RecordedSpace>& spaces,
                          const CompareOptions& options,
                          const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace tuna::search
