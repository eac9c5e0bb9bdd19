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

#include "store/recording_spec.hpp"
#include "search/compare_guided.hpp"
#include "search/compare_random.hpp"
#include "search/registry.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

namespace {

std::size_t largest_budget(const CompareOptions& options) {
  TUNA_ASSERT(!options.budgets.empty(), "compare needs at least one budget");
  return *std::max_element(options.budgets.begin(), options.budgets.end());
}

double score_at(const RunTrace& run, std::size_t evals, double optimum_ms) {
  if (run.best_ms.empty() || evals == 0) return 0;
  double best = run.best_ms[std::min(evals, run.best_ms.size()) - 1];
  return std::isfinite(best) ? optimum_ms / best : 0.0;
}

// The space's priors for one run; shuffled by the run's seed when asked (a misleading prior).
std::vector<std::shared_ptr<const Prior>> run_priors(const ReplaySpace& space, bool shuffle,
                                                     std::uint64_t seed) {
  if (!shuffle) return space.priors;
  std::vector<std::shared_ptr<const Prior>> out;
  for (const auto& p : space.priors)
    out.push_back(std::make_shared<const Prior>(with_times_shuffled(*p, seed)));
  return out;
}

// A model-free strategy through the same Search protocol as in a tuning run, except that only
// what the strategy proposes counts (the default config is not measured first). Lookahead needs
// a modelled pipeline: without one, a replay measures nothing in the background.
RunTrace run_model_free(const ReplaySpace& space, const std::string& strategy, std::uint64_t seed,
                        const ReplayRunSettings& settings, bool shuffle_priors = false,
                        bool lookahead = false) {
  CompareRunKey key{space.recorded->name, strategy, seed};
  return run_search_on_recording(
      space, key,
      [&](const std::function<void(const std::string&)>&) {
        return make_search({strategy, seed, run_priors(space, shuffle_priors, seed)},
                           {.default_first = false,
                            .lookahead = lookahead && settings.pipeline.has_value()});
      },
      settings);
}

}  // namespace

std::uint64_t replay_noise_seed(std::uint64_t seed) {
  return seed * 0x9E3779B97F4A7C15ULL + 0x5EED;
}

std::size_t CompareOptions::runs_of(const std::string& strategy) const {
  return is_guided_strategy(strategy) && guided_runs > 0 ? guided_runs : runs;
}

LlmUsage& LlmUsage::operator+=(const LlmUsage& other) {
  calls += other.calls;
  failed_calls += other.failed_calls;
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  model_s += other.model_s;
  return *this;
}

RunTrace run_on_recording(const sim::RecordedSpace& recorded, const std::string& strategy,
                          std::uint64_t seed, std::size_t max_evals, sim::ReplayNoise noise,
                          std::size_t batch_size) {
  ReplaySpace space = prepare_replay_space(recorded, sim::spec_from_recorded_space(recorded));
  ReplayRunSettings settings;
  settings.max_evals = max_evals;
  settings.noise = noise;
  settings.batch_size = batch_size;
  return run_model_free(space, strategy, seed, settings);
}

namespace {

PriorAgreement prior_agreement_on(const Prior& prior, const sim::RecordedSpace& recorded) {
  std::vector<Result> results;
  for (const sim::RecordedConfig& rc : recorded.configs) {
    if (rc.status != Status::Ok) continue;
    Result r;
    r.key = rc.key;
    r.median_ms = rc.time_ms;
    results.push_back(std::move(r));
  }
  return prior_agreement(prior, results);
}

// The standard error of the mean score after `budget` evaluations over `runs` (NaN for one run:
// one run says nothing of the spread).
double standard_error(const std::vector<RunTrace>& runs, std::size_t budget, double optimum_ms,
                      double mean) {
  if (runs.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  double squares = 0;
  for (const RunTrace& run : runs) {
    const double d = score_at(run, budget, optimum_ms) - mean;
    squares += d * d;
  }
  const double n = static_cast<double>(runs.size());
  return std::sqrt(squares / (n - 1) / n);
}

}  // namespace

StrategyStats summarise_runs(const std::string& strategy, const std::vector<RunTrace>& runs,
                             double optimum_ms, const CompareOptions& options) {
  const std::size_t cap = largest_budget(options);
  StrategyStats st;
  st.strategy = strategy;
  st.runs = runs.size();
  for (const RunTrace& run : runs) {
    if (!run.guided) continue;
    if (!st.llm) st.llm.emplace();
    *st.llm += run.guided->llm;
    st.guided_runs.push_back(*run.guided);
    for (std::size_t b : options.budgets)
      st.guided_runs.back().score.push_back(score_at(run, b, optimum_ms));
  }
  if (runs.empty()) return st;
  const double n = static_cast<double>(runs.size());
  if (runs.front().pipeline) {
    st.idle_share = st.batches = 0.0;
    for (const RunTrace& run : runs) {
      if (!run.pipeline) continue;
      const std::size_t devices = options.pipeline ? options.pipeline->devices : 1;
      *st.idle_share += run.pipeline->idle_share(devices) / n;
      *st.batches += static_cast<double>(run.pipeline->batches) / n;
    }
  }
  st.curve.assign(cap, 0.0);
  for (const RunTrace& run : runs)
    for (std::size_t k = 1; k <= cap; ++k) st.curve[k - 1] += score_at(run, k, optimum_ms) / n;
  for (std::size_t b : options.budgets) {
    st.score.push_back(st.curve[b - 1]);
    st.score_stderr.push_back(standard_error(runs, b, optimum_ms, st.curve[b - 1]));
  }
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
  for (std::size_t b : options.budgets) {
    st.score.push_back(st.curve[b - 1]);
    st.score_stderr.push_back(0.0);  // exact
  }
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
  // Spaces are independent: the error of a mean of means adds in quadrature.
  for (std::size_t i = 0; i < out.score_stderr.size(); ++i) {
    double squares = 0;
    for (const StrategyStats* r : rows) squares += r->score_stderr[i] * r->score_stderr[i];
    out.score_stderr[i] = std::sqrt(squares) / n;
  }
  auto average_optional = [&](std::optional<double> StrategyStats::*field) {
    if (!(out.*field)) return;
    out.*field = 0.0;
    for (const StrategyStats* r : rows) *(out.*field) += (r->*field).value_or(0.0) / n;
  };
  average_optional(&StrategyStats::idle_share);
  average_optional(&StrategyStats::batches);
  // The cost of the LLM adds up over spaces; each run's details stay with its space.
  out.guided_runs.clear();
  if (out.llm) {
    out.llm = LlmUsage{};
    for (const StrategyStats* r : rows)
      if (r->llm) *out.llm += *r->llm;
  }
  out.runs = 0;
  for (const StrategyStats* r : rows) out.runs += r->runs;
  return out;
}

}  // namespace

namespace {

// One seeded run of one strategy on one space.
struct Job {
  std::size_t space = 0, strategy = 0, run = 0;
};

// Hands out jobs to a pool of threads; the first error stops the handing out and is rethrown.
class JobPool {
 public:
  JobPool(std::vector<Job> jobs, std::function<void(const Job&)> run)
      : jobs_(std::move(jobs)), run_(std::move(run)) {}
  void start(unsigned threads) {
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(jobs_.size())));
    if (jobs_.empty()) return;
    for (unsigned t = 0; t < threads; ++t) pool_.emplace_back([this] { work(); });
  }
  void join() {
    for (std::thread& t : pool_) t.join();
    pool_.clear();
  }
  void stop() { next_ = jobs_.size(); }
  std::exception_ptr error() const { return error_; }
  std::function<void()> on_error;  // called once, on the first error

 private:
  void work() {
    while (true) {
      std::size_t i = next_++;
      if (i >= jobs_.size()) return;
      try {
        run_(jobs_[i]);
      } catch (...) {
        {
          std::lock_guard lock(error_mutex_);
          if (error_) return;
          error_ = std::current_exception();
        }
        stop();
        if (on_error) on_error();
        return;
      }
    }
  }
  std::vector<Job> jobs_;
  std::function<void(const Job&)> run_;
  std::atomic<std::size_t> next_{0};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::vector<std::thread> pool_;
};

std::vector<ReplaySpace> prepare_replay_spaces(const std::vector<sim::RecordedSpace>& spaces,
                                               const std::vector<KernelSpec>& specs,
                                               const CompareOptions& options) {
  if (!specs.empty() && specs.size() != spaces.size()) {
    throw UserError(fmt::format("compare: {} specs given for {} spaces; give one per space or "
                                "none",
                                specs.size(), spaces.size()));
  }
  std::vector<ReplaySpace> out;
  for (std::size_t s = 0; s < spaces.size(); ++s) {
    out.push_back(prepare_replay_space(
        spaces[s], specs.empty() ? sim::spec_from_recorded_space(spaces[s]) : specs[s]));
    if (options.priors_for) out.back().priors = options.priors_for(spaces[s]);
  }
  return out;
}

}  // namespace

CompareReport run_compare(const std::vector<sim::RecordedSpace>& spaces,
                          const CompareOptions& options,
                          const std::function<void(std::size_t, std::size_t)>& progress,
                          const std::vector<KernelSpec>& specs) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t cap = largest_budget(options);
  for (std::size_t b : options.budgets) {
    if (b == 0) throw UserError("compare: a budget must be at least 1 evaluation");
  }
  const std::size_t n_strategies = options.strategies.size();
  // traces[space][strategy][run], filled by whichever thread takes the job. Model-free runs
  // and LLM runs go to pools of their own, which run side by side: LLM runs mostly wait for
  // the model, and how many may wait at once is the provider's business (guided_threads).
  std::vector<std::vector<std::vector<RunTrace>>> traces(
      spaces.size(), std::vector<std::vector<RunTrace>>(n_strategies));
  std::vector<Job> model_free, guided;
  for (std::size_t s = 0; s < spaces.size(); ++s) {
    for (std::size_t j = 0; j < n_strategies; ++j) {
      const std::string& name = options.strategies[j];
      traces[s][j].resize(options.runs_of(name));
      for (std::size_t r = 0; r < traces[s][j].size(); ++r)
        (is_guided_strategy(name) ? guided : model_free).push_back({s, j, r});
    }
  }
  const std::size_t total_jobs = model_free.size() + guided.size();
  const std::vector<ReplaySpace> replay_spaces = prepare_replay_spaces(spaces, specs, options);

  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex, log_mutex;
  auto finished = [&] {
    std::size_t n = ++done;
    if (!progress) return;
    std::lock_guard lock(progress_mutex);
    progress(n, total_jobs);
  };
  // What every run of the comparison shares; an LLM run adds its store and log.
  ReplayRunSettings common;
  common.max_evals = cap;
  common.noise = options.noise;
  common.batch_size = options.batch_size;
  common.pipeline = options.pipeline;
  JobPool free_pool(model_free, [&](const Job& job) {
    traces[job.space][job.strategy][job.run] =
        run_model_free(replay_spaces[job.space], options.strategies[job.strategy],
                       options.seed + job.run, common, options.shuffle_priors, options.lookahead);
    finished();
  });
  JobPool guided_pool(guided, [&](const Job& job) {
    CompareRunKey key{spaces[job.space].name, options.strategies[job.strategy],
                     options.seed + job.run};
    ReplayRunSettings settings = common;
    settings.store = options.store;
    if (options.on_guided_log) {
      settings.on_log = [&, key](const std::string& line) {
        std::lock_guard lock(log_mutex);
        options.on_guided_log(key, line);
      };
    }
    traces[job.space][job.strategy][job.run] =
        run_guided_on_recording(replay_spaces[job.space], key, options.make_guided, settings);
    finished();
  });
  // A failure in either pool stops both: the comparison is incomplete either way.
  free_pool.on_error = [&] { guided_pool.stop(); };
  guided_pool.on_error = [&] { free_pool.stop(); };
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  free_pool.start(threads);
  guided_pool.start(std::max(1u, options.guided_threads));
  guided_pool.join();
  free_pool.join();
  if (guided_pool.error()) std::rethrow_exception(guided_pool.error());
  if (free_pool.error()) std::rethrow_exception(free_pool.error());

  CompareReport report;
  report.options = options;
  for (std::size_t s = 0; s < spaces.size(); ++s) {
    SpaceStats ss;
    ss.name = spaces[s].name;
    ss.optimum_ms = spaces[s].optimum_ms();
    ss.ok_configs = spaces[s].sorted_ok_times().size();
    for (const auto& rc : spaces[s].configs) ss.configs += spaces[s].space.is_valid(rc.config);
    for (const auto& prior : replay_spaces[s].priors) {
      // Shuffled priors agree with nothing by construction; the figure is the unshuffled one's.
      ss.priors.push_back({prior->label() + (options.shuffle_priors
                                                 ? " (times shuffled afresh for each run; "
                                                   "unshuffled figure)"
                                                 : ""),
                           prior_agreement_on(*prior, spaces[s])});
    }
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
