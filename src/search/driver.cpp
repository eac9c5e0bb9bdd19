#include "tuna/driver.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "search/shootout.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

using Clock = std::chrono::steady_clock;

bool better(const Result& a, const Result& b) {
  if (a.ok() != b.ok()) return a.ok();
  return a.median_ms < b.median_ms;
}

nlohmann::json options_json(const TuneOptions& o) {
  return {{"strategy", o.strategy.name},
          {"seed", o.strategy.seed},
          {"max_evals", o.max_evals},
          {"time_budget_s", o.time_budget_s},
          {"batch_size", o.batch_size},
          {"fresh", o.fresh},
          {"finalists", o.finalists},
          {"shootout_rounds", o.shootout_rounds},
          {"compile_jobs", o.evaluator.compile_jobs},
          {"compile_timeout_s", o.evaluator.compile_timeout_s},
          {"run_timeout_s", o.evaluator.run_timeout_s},
          {"timing_budget_ms", o.evaluator.timing.budget_ms},
          {"data_seed", o.evaluator.seed}};
}

// The state of one run: what was considered, the best so far, the counts.
class Run {
 public:
  Run(const KernelSpec& spec, const TuneOptions& options, Store& store, TuneObserver& observer)
      : spec_(spec), options_(options), store_(store), observer_(observer),
        evaluator_(spec, options.evaluator),
        context_(store_context(spec, evaluator_.device())),
        strategy_(make_strategy(options.strategy, evaluator_.space())),
        default_key_(space().key(space().default_config())),
        started_(Clock::now()) {
    if (!options_.fresh) {
      for (Result& r : store_.results(context_, space())) stored_.emplace(r.key, std::move(r));
    }
    run_id_ = store_.begin_run(context_, strategy_->name(), options_json(options_).dump());
    observer_.on_start(spec_, evaluator_.device(), space(), options_, stored_.size());
  }

  const Space& space() const { return evaluator_.space(); }

  TuneSummary execute() {
    TuneSummary summary;
    summary.run_id = run_id_;
    summary.device = evaluator_.device();
    summary.kernel_name = spec_.name;
    summary.strategy = strategy_->name();
    try {
      consider({space().default_config()});
      summary.stop_reason = search();
      summary.interrupted = stop_requested();
      if (!summary.interrupted) summary.finalists = final_shootout();
    } catch (...) {
      store_.end_run(run_id_, "failed");
      throw;
    }
    finish(summary);
    return summary;
  }

 private:
  bool stop_requested() const {
    return options_.stop_requested && options_.stop_requested->load();
  }
  double elapsed_s() const {
    return std::chrono::duration<double>(Clock::now() - started_).count();
  }
  std::size_t remaining() const {
    if (options_.max_evals == 0) return SIZE_MAX;
    return options_.max_evals > progress_.considered ? options_.max_evals - progress_.considered
                                                     : 0;
  }
  std::size_t batch_size() const {
    std::size_t b = options_.batch_size ? options_.batch_size
                                        : static_cast<std::size_t>(evaluator_.options().compile_jobs);
    return std::max<std::size_t>(1, b);
  }

  // Returns why the search stopped.
  std::string search() {
    while (true) {
      if (stop_requested()) return "interrupted";
      if (remaining() == 0) return fmt::format("evaluation budget reached ({})", options_.max_evals);
      if (options_.time_budget_s > 0 && elapsed_s() >= options_.time_budget_s) {
        return fmt::format("time budget reached ({:g} s)", options_.time_budget_s);
      }
      std::vector<Config> batch = strategy_->propose(std::min(batch_size(), remaining()));
      if (batch.empty()) return "the strategy has nothing more to propose (space exhausted)";
      consider(batch);
    }
  }

  // Reuses stored results, measures the rest, and feeds everything back to the strategy.
  void consider(const std::vector<Config>& configs) {
    std::vector<Result> batch_results;
    std::vector<Config> to_measure;
    for (const Config& config : configs) {
      std::string key = space().key(config);
      if (!considered_.insert(key).second) continue;
      if (auto it = stored_.find(key); it != stored_.end()) {
        Result reused = it->second;
        reused.reused = true;
        record(reused);
        batch_results.push_back(std::move(reused));
      } else {
        to_measure.push_back(config);
      }
    }
    // Stop between configs on request: what was measured is already stored.
    std::vector<Config> pending;
    for (Config& c : to_measure) {
      if (stop_requested()) break;
      pending.push_back(std::move(c));
    }
    if (!pending.empty()) {
      auto sink = [&](const Result& r) {
        store_.put_result(run_id_, context_, r);
        record(r);
      };
      for (Result& r : evaluator_.evaluate(pending, sink)) batch_results.push_back(std::move(r));
    }
    if (!batch_results.empty()) strategy_->observe(batch_results);
  }

  void record(const Result& r) {
    ++progress_.considered;
    ++(r.reused ? progress_.reused : progress_.measured);
    ++progress_.counts[r.status];
    if (r.key == default_key_) default_result_ = r;
    if (r.ok() && (!best_ || better(r, *best_))) best_ = r;
    if (r.ok()) ok_results_.push_back(r);
    progress_.best = best_ ? &*best_ : nullptr;
    progress_.elapsed_s = elapsed_s();
    observer_.on_result(r, progress_);
  }

  std::vector<Result> final_shootout() {
    std::vector<Result> candidates = ok_results_;
    std::sort(candidates.begin(), candidates.end(), better);
    std::vector<Result> finalists;
    for (const Result& r : candidates) {
      if (static_cast<int>(finalists.size()) >= options_.finalists) break;
      if (r.median_ms > candidates.front().median_ms * options_.finalists_within) break;
      finalists.push_back(r);
    }
    if (finalists.size() < 2 || options_.shootout_rounds <= 0) return finalists;
    observer_.on_phase(fmt::format("final shootout: {} configs, {} interleaved rounds",
                                   finalists.size(), options_.shootout_rounds));
    std::vector<Result> timed = search::run_shootout(evaluator_, finalists,
                                                     options_.shootout_rounds,
                                                     evaluator_.options().timing);
    for (const Result& r : timed) {
      if (r.ok()) store_.put_result(run_id_, context_, r);
    }
    return timed;
  }

  void finish(TuneSummary& summary) {
    if (!summary.finalists.empty() && summary.finalists.front().ok()) {
      best_ = summary.finalists.front();
    }
    summary.best = best_;
    summary.default_result = default_result_;
    summary.progress = progress_;
    summary.progress.best = nullptr;
    summary.elapsed_s = elapsed_s();
    if (best_) summary.best_throughput = throughput_of(spec_, space(), summary.device, *best_);
    if (default_result_ && default_result_->ok()) {
      summary.default_throughput = throughput_of(spec_, space(), summary.device, *default_result_);
    }
    store_.end_run(run_id_, summary.interrupted ? "interrupted" : "completed");
  }

  const KernelSpec& spec_;
  const TuneOptions& options_;
  Store& store_;
  TuneObserver& observer_;
  Evaluator evaluator_;
  StoreContext context_;
  std::unique_ptr<Strategy> strategy_;
  std::string default_key_;  // computed once: record() runs for every result
  Clock::time_point started_;
  std::int64_t run_id_ = 0;
  std::unordered_map<std::string, Result> stored_;
  std::unordered_set<std::string> considered_;
  std::vector<Result> ok_results_;
  std::optional<Result> best_;
  std::optional<Result> default_result_;
  TuneProgress progress_;
};

}  // namespace

StoreContext store_context(const KernelSpec& spec, const DeviceInfo& device) {
  return {spec.name, spec.content_hash(), spec.problem_key(), device.id, device.name,
          device.backend};
}

Throughput throughput_of(const KernelSpec& spec, const Space& space, const DeviceInfo& device,
                         const Result& result) {
  Throughput t;
  if (!result.ok() || result.median_ms <= 0) return t;
  Env env = spec.env_for(space, result.config, device);
  double seconds = result.median_ms * 1e-3;
  if (!spec.metrics.flops.empty()) {
    t.gflops = spec.metrics.flops.evaluate(env).as_double() / seconds * 1e-9;
  }
  if (!spec.metrics.bytes.empty()) {
    t.gbps = spec.metrics.bytes.evaluate(env).as_double() / seconds * 1e-9;
  }
  return t;
}

TuneSummary tune(const KernelSpec& spec, const TuneOptions& options, Store& store,
                 TuneObserver& observer) {
  Run run(spec, options, store, observer);
  return run.execute();
}

}  // namespace tuna
