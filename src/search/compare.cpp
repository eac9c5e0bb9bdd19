#include "search/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "search/compare_random.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

std::size_t largest_budget(const CompareOptions& options) {
  TUNA_ASSERT(!options.budgets.empty(), "compare needs at least one budget");
  return *std::max_element(options.budgets.begin(), options.budgets.end());
}

double score_at(const RunTrace& run, std::size_t evals, double optimum_ms) {
  if (run.best_ms.empty() || evals == 0) return 0;
  double best = run.best_ms[std::min(evals, run.best_ms.size()) - 1];
  return std::isfinite(best) ? optimum_ms / best : 0.0;
}

// The replay noise stream of a run is independent of the strategy's own generator.
std::uint64_t noise_seed(std::uint64_t seed) { return seed * 0x9E3779B97F4A7C15ULL + 0x5EED; }

}  // namespace

RunTrace run_on_recording(const sim::RecordedSpace& recorded, const std::string& strategy,
                          std::uint64_t seed, std::size_t max_evals, sim::ReplayNoise noise,
                          std::size_t batch_size) {
  const Space& space = recorded.space;
  std::unique_ptr<Strategy> s = make_strategy({strategy, seed}, space);
  std::mt19937_64 noise_rng(noise_seed(seed));
  std::unordered_set<std::string> seen;
  RunTrace trace;
  trace.best_ms.reserve(max_evals);
  double best_seen = kNever, best_true = kNever;
  while (trace.best_ms.size() < max_evals) {
    std::vector<Config> batch =
        s->propose(std::min(std::max<std::size_t>(batch_size, 1), max_evals - trace.best_ms.size()));
    if (batch.empty()) break;  // the strategy has nothing more to propose
    std::vector<Result> results;
    results.reserve(batch.size());
    for (const Config& config : batch) {
      std::string key = space.key(config);
      TUNA_ASSERT(space.is_valid(config),
                  fmt::format("strategy '{}' proposed an invalid config {}", strategy, key));
      TUNA_ASSERT(seen.insert(key).second,
                  fmt::format("strategy '{}' proposed {} twice", strategy, key));
      Result r = sim::replay(recorded, config, noise, noise_rng);
      r.key = key;
      if (r.ok() && r.median_ms < best_seen) {
        best_seen = r.median_ms;
        const sim::RecordedConfig* rc = recorded.find(key);
        best_true = rc ? rc->time_ms : r.median_ms;
      }
      trace.best_ms.push_back(best_true);
      results.push_back(std::move(r));
      if (trace.best_ms.size() >= max_evals) break;
    }
    s->observe(results);
  }
  return trace;
}

StrategyStats summarise_runs(const std::string& strategy, const std::vector<RunTrace>& runs,
                             double optimum_ms, const CompareOptions& options) {
  const std::size_t cap = largest_budget(options);
  StrategyStats st;
  st.strategy = strategy;
  if (runs.empty()) return st;
  const double n = static_cast<double>(runs.size());
  st.curve.assign(cap, 0.0);
  for (const RunTrace& run : runs)
    for (std::size_t k = 1; k <= cap; ++k) st.curve[k - 1] += score_at(run, k, optimum_ms) / n;
  for (std::size_t b : options.budgets) st.score.push_back(st.curve[b - 1]);
  for (double target : options.targets) {
    double evals = 0, reached = 0;
    for (const RunTrace& run : runs) {
      std::size_t k = 1;
      // A small tolerance: a config at exactly the target fraction reaches it.
      while (k <= cap && score_at(run, k, optimum_ms) < target * (1 - 1e-12)) ++k;
      if (k <= cap) {
        evals += static_cast<double>(k);
        reached += 1;
      } else {
        evals += static_cast<double>(cap);
      }
    }
    st.evals_to.push_back(evals / n);
    st.reached.push_back(reached / n);
  }
  return st;
}

StrategyStats random_search_stats(const sim::RecordedSpace& recorded,
                                  const CompareOptions& options) {
  const std::size_t cap = largest_budget(options);
  std::vector<double> sorted = recorded.sorted_ok_times();
  std::size_t total = 0;
  for (const auto& rc : recorded.configs) total += recorded.space.is_valid(rc.config);
  total = std::max(total, sorted.size());
  StrategyStats st;
  st.strategy = "random (exact)";
  st.exact = true;
  for (std::size_t k = 1; k <= cap; ++k)
    st.curve.push_back(random_search_expected_score(sorted, total, k));
  for (std::size_t b : options.budgets) st.score.push_back(st.curve[b - 1]);
  for (double target : options.targets) {
    RandomReach reach = random_search_reach(sorted, total, target, cap);
    st.evals_to.push_back(reach.mean_capped_evals);
    st.reached.push_back(reach.probability);
  }
  return st;
}

namespace {

StrategyStats mean_of(const std::vector<const StrategyStats*>& rows) {
  StrategyStats out = *rows.front();
  const double n = static_cast<double>(rows.size());
  auto average = [&](std::vector<double> StrategyStats::*field) {
    std::vector<double>& acc = out.*field;
    std::fill(acc.begin(), acc.end(), 0.0);
    for (const StrategyStats* r : rows)
      for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += (r->*field)[i] / n;
  };
  average(&StrategyStats::score);
  average(&StrategyStats::evals_to);
  average(&StrategyStats::reached);
  average(&StrategyStats::curve);
  return out;
}

}  // namespace

CompareReport run_compare(const std::vector<sim::RecordedSpace>& spaces,
                          const CompareOptions& options,
                          const std::function<void(std::size_t, std::size_t)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t cap = largest_budget(options);
  for (std::size_t b : options.budgets) {
    if (b == 0) throw UserError("compare: a budget must be at least 1 evaluation");
  }
  const std::size_t n_strategies = options.strategies.size();
  const std::size_t per_space = n_strategies * options.runs;
  const std::size_t total_jobs = spaces.size() * per_space;
  // traces[space][strategy][run], filled by whichever thread takes the job.
  std::vector<std::vector<std::vector<RunTrace>>> traces(
      spaces.size(), std::vector<std::vector<RunTrace>>(n_strategies,
                                                        std::vector<RunTrace>(options.runs)));
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mutex, error_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    while (true) {
      std::size_t job = next++;
      if (job >= total_jobs) return;
      std::size_t s = job / per_space, j = (job % per_space) / options.runs,
                  r = job % options.runs;
      try {
        traces[s][j][r] = run_on_recording(spaces[s], options.strategies[j], options.seed + r,
                                           cap, options.noise, options.batch_size);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next = total_jobs;  // stop handing out work
        return;
      }
      std::size_t finished = ++done;
      if (progress) {
        std::lock_guard lock(progress_mutex);
        progress(finished, total_jobs);
      }
    }
  };
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(total_jobs)));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);

  CompareReport report;
  report.options = options;
  for (std::size_t s = 0; s < spaces.size(); ++s) {
    SpaceStats ss;
    ss.name = spaces[s].name;
    ss.optimum_ms = spaces[s].optimum_ms();
    ss.ok_configs = spaces[s].sorted_ok_times().size();
    for (const auto& rc : spaces[s].configs) ss.configs += spaces[s].space.is_valid(rc.config);
    for (std::size_t j = 0; j < n_strategies; ++j)
      ss.strategies.push_back(
          summarise_runs(options.strategies[j], traces[s][j], ss.optimum_ms, options));
    ss.strategies.push_back(random_search_stats(spaces[s], options));
    report.spaces.push_back(std::move(ss));
  }
  if (!report.spaces.empty()) {
    for (std::size_t j = 0; j <= n_strategies; ++j) {
      std::vector<const StrategyStats*> rows;
      for (const SpaceStats& ss : report.spaces) rows.push_back(&ss.strategies[j]);
      report.average.push_back(mean_of(rows));
    }
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace tuna::search
