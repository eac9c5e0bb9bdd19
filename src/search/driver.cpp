#include "tuna/driver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "search/compile_failure_watch.hpp"
#include "search/registry.hpp"
#include "search/shootout.hpp"
#include "store/prior_source.hpp"
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
          {"lookahead", o.lookahead},
          {"devices", o.evaluator.devices},
          {"finalists", o.finalists},
          {"shootout_rounds", o.shootout_rounds},
          {"compile_jobs", o.evaluator.compile_jobs},
          {"compile_timeout_s", o.evaluator.compile_timeout_s},
          {"run_timeout_s", o.evaluator.run_timeout_s},
          {"timing_budget_ms", o.evaluator.timing.budget_ms},
          {"data_seed", o.evaluator.seed}};
}

// What the run found out beyond its results, stored with it when it ends (Store::end_run) so
// that a report made later from the store alone can say it: how well each prior predicted the
// run, in the fields of `tune --json`'s priors (docs/json.md). "priors" is there even when empty,
// which tells a run without priors from one stored before findings were.
std::string findings_json(const std::vector<PriorReport>& priors) {
  using Json = nlohmann::ordered_json;  // the fields in the order docs/json.md lists them
  Json list = Json::array();
  for (const PriorReport& p : priors) {
    const bool compared = p.agreement.compared >= 3 && std::isfinite(p.agreement.spearman);
    list.push_back({{"label", p.label},
                    {"configs", p.configs},
                    {"from_store", p.from_store},
                    {"compared", p.agreement.compared},
                    {"spearman", compared ? Json(p.agreement.spearman) : Json(nullptr)}});
  }
  // A label comes from a file or device name, which need not be UTF-8.
  return Json{{"priors", std::move(list)}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

EvaluatorOptions evaluator_options(const TuneOptions& options) {
  EvaluatorOptions o = options.evaluator;
  o.stop_requested = options.stop_requested;
  return o;
}

// The priors of one run: the caller's, less the configs not valid in the run's Space (they were
// read against the spec's parameters, before the device's constraints were known), then, for a
// model-free search, the store's other contexts of this kernel. What could not be used is said
// in `notes`, logged once the run has started.
struct RunPriors {
  std::vector<std::shared_ptr<const Prior>> priors;
  std::vector<bool> from_store;  // per prior
  std::vector<std::string> notes;
};

void add_given_priors(const TuneOptions& options, const Space& space, RunPriors& out) {
  for (const std::shared_ptr<const Prior>& given : options.strategy.priors) {
    if (!given) continue;
    Prior kept = store::restrict_prior(*given, space);
    if (kept.empty()) {
      out.notes.push_back(
          fmt::format("prior {} not used: none of its configs is valid here", given->label()));
      continue;
    }
    if (kept.size() < given->size()) {
      out.notes.push_back(fmt::format("prior {}: {} of its {} configs are valid here",
                                      given->label(), kept.size(), given->size()));
    }
    out.priors.push_back(std::make_shared<const Prior>(std::move(kept)));
    out.from_store.push_back(false);
  }
}

// A store that cannot be read as priors costs the run its priors, never the run itself.
void add_store_priors(const TuneOptions& options, const Store& store, const StoreContext& context,
                      const Space& space, RunPriors& out) {
  if (!options.priors_from_store) return;
  try {
    for (Prior& p : store::priors_from_store(store, context, space)) {
      out.priors.push_back(std::make_shared<const Prior>(std::move(p)));
      out.from_store.push_back(true);
    }
  } catch (const std::exception& e) {
    out.notes.push_back(fmt::format(
        "warning: the store's results of this kernel elsewhere are not used as priors: {}",
        e.what()));
  }
}

RunPriors priors_of(const TuneOptions& options, const Store& store, const StoreContext& context,
                    const Space& space) {
  RunPriors out;
  add_given_priors(options, space, out);
  add_store_priors(options, store, context, space, out);
  return out;
}

// The search the options ask for: the one given, else the model-free strategy named, which
// measures the default config first (every run has the baseline), with the run's priors.
std::shared_ptr<Search> search_of(const TuneOptions& options, const RunPriors& priors) {
  if (options.search) return options.search;
  StrategyOptions strategy = options.strategy;
  strategy.priors = priors.priors;
  return search::make_search(strategy, {.default_first = true, .lookahead = options.lookahead});
}

// The state of one run: what was considered, the best so far, the counts. It is also what the
// search sees of the run: SearchServices.
class Run final : public SearchServices {
 public:
  Run(const KernelSpec& spec, const TuneOptions& options, Store& store, TuneObserver& observer)
      : spec_(spec), options_(options), store_(store), observer_(observer),
        constructed_(Clock::now()),
        evaluator_(spec, evaluator_options(options)),
        context_(store_context(spec, evaluator_.device())),
        priors_(priors_of(options, store, context_, evaluator_.space())),
        search_(search_of(options, priors_)),
        default_key_(space().key(space().default_config())),
        started_(Clock::now()) {
    if (!options_.fresh) {
      for (Result& r : store_.results(context_, space())) stored_.emplace(r.key, std::move(r));
    }
    nlohmann::json logged = options_json(options_);
    logged["search"] = nlohmann::json::parse(search_->options_json());
    logged["priors"] = nlohmann::json::array();
    for (const auto& p : priors_.priors) logged["priors"].push_back(p->label());
    run_id_ = store_.begin_run(context_, search_->name(), logged.dump());
    observer_.on_start(spec_, evaluator_.device(), space(), options_, stored_.size());
    for (const std::string& note : priors_.notes) observer_.on_phase(note);
    for (const auto& p : priors_.priors) observer_.on_phase("prior: " + p->label());
    if (options_.search) {
      observer_.on_phase(fmt::format("{} options: {}", search_->name(), logged["search"].dump()));
    }
  }

  TuneSummary execute() {
    TuneSummary summary;
    summary.run_id = run_id_;
    summary.spec_hash = context_.spec_hash;
    summary.device = evaluator_.device();
    summary.kernel_name = spec_.name;
    summary.strategy = search_->name();
    try {
      summary.stop_reason = run_search();
      summary.interrupted = stop_requested();
      if (!summary.interrupted) summary.finalists = final_shootout();
    } catch (...) {
      restore_compile_timeout();
      store_.end_run(run_id_, "failed");
      throw;
    }
    finish(summary);
    return summary;
  }

  // SearchServices
  const KernelSpec& spec() const override { return spec_; }
  const Space& space() const override { return evaluator_.space(); }
  const DeviceInfo& device() const override { return evaluator_.device(); }
  std::uint64_t seed() const override { return options_.strategy.seed; }
  std::size_t batch_size() const override {
    std::size_t b = options_.batch_size ? options_.batch_size : evaluator_.parallelism();
    return std::max<std::size_t>(1, b);
  }
  std::vector<Result> evaluate(const std::vector<Config>& configs,
                               const EvaluationStream& stream) override {
    if (!budget_left()) return {};
    return measure(configs, stream);
  }
  std::vector<Result> retime(const std::vector<Config>& configs) override;
  bool budget_left() const override {
    return !stop_requested() && remaining() > 0 && !time_spent();
  }
  std::size_t evaluations_left() const override { return remaining(); }
  void log(const std::string& line) override { observer_.on_phase(line); }
  void cap_compile_timeout(double seconds) override {
    double current = evaluator_.options().compile_timeout_s;
    if (!uncapped_compile_timeout_) uncapped_compile_timeout_ = current;
    evaluator_.set_compile_timeout_s(std::min(current, seconds));
  }
  void restore_compile_timeout() override {
    if (!uncapped_compile_timeout_) return;
    evaluator_.set_compile_timeout_s(*uncapped_compile_timeout_);
    uncapped_compile_timeout_.reset();
  }
  double compile_timeout_s() const override { return evaluator_.options().compile_timeout_s; }
  void record_llm_exchange(const LlmExchange& exchange) override {
    LlmExchange e = exchange;
    e.run_id = run_id_;
    store_.put_llm_exchange(e);
  }
  std::int64_t run_id() const override { return run_id_; }
  // Wall time even on the sim backend: what a search waits for there (an LLM) takes real time.
  RunClock clock() const override { return RunClock::Wall; }
  double clock_s() const override {
    return std::chrono::duration<double>(Clock::now() - started_).count();
  }
  const std::vector<std::shared_ptr<const Prior>>& priors() const override {
    return priors_.priors;
  }

 private:
  bool stop_requested() const {
    return options_.stop_requested && options_.stop_requested->load();
  }
  // On the simulation backend, time is what the recording says each evaluation cost (its
  // compile and benchmark time), not the microseconds a replay takes, so that budgets in seconds
  // simulate a real run faithfully.
  bool simulated_clock() const { return evaluator_.device().backend == "sim"; }
  double elapsed_s() const {
    if (simulated_clock()) return charged_s_;
    return std::chrono::duration<double>(Clock::now() - started_).count();
  }
  void charge(const Result& r) {
    if (!simulated_clock() || r.reused) return;
    auto run = r.resources.find("recorded_run_ms");
    charged_s_ += (r.compile_ms + (run == r.resources.end() ? 0.0 : run->second)) * 1e-3;
  }
  bool time_spent() const {
    return options_.time_budget_s > 0 && elapsed_s() >= options_.time_budget_s;
  }
  std::size_t remaining() const {
    if (options_.max_evals == 0) return SIZE_MAX;
    return options_.max_evals > progress_.considered ? options_.max_evals - progress_.considered
                                                     : 0;
  }
  std::string budget_reason() const {
    if (stop_requested()) return "interrupted";
    if (remaining() == 0) return fmt::format("evaluation budget reached ({})", options_.max_evals);
    return fmt::format("time budget reached ({:g} s)", options_.time_budget_s);
  }

  // Returns why the search stopped.
  std::string run_search() {
    std::string why = search_->run(*this);
    restore_compile_timeout();
    if (stop_requested()) return "interrupted";
    if (why == kBudgetSpent) return budget_reason();
    return why;
  }

  // Lookahead: called by the evaluator while the batch's last configs still compile or run,
  // serialised with the sink (record()), so the devices never wait for a whole batch to end. A
  // share of the pipeline at a time, so that each proposal sees the results that came in
  // meanwhile (the search's stream is told of each as it is recorded).
  std::vector<Config> refill(const EvaluationStream& stream) {
    if (!budget_left() || stop_requested()) return {};
    std::size_t room = remaining() > in_flight_ ? remaining() - in_flight_ : 0;
    if (room == 0) return {};
    std::size_t n = std::min(room, std::max<std::size_t>(1, batch_size() / 4));
    // An empty answer ends the batch for whoever asked, so ask again while the search still
    // proposes but everything it proposed was reused or already considered (the default, say).
    while (true) {
      std::vector<Config> proposed = stream.more(n);
      if (proposed.empty()) return {};
      std::vector<Config> to_measure = admit(proposed, room).to_measure;
      if (!to_measure.empty() || !budget_left()) return to_measure;
      room = remaining() > in_flight_ ? remaining() - in_flight_ : 0;
      if (room == 0) return {};
    }
  }

  struct Admitted {
    std::vector<std::optional<Result>> slots;  // reused results, and holes for the rest
    std::vector<std::size_t> measured_slots;
    std::vector<Config> to_measure;
  };

  // Skips configs already considered in this run, reuses stored results (recorded at once) and
  // keeps the rest for measuring, at most `budget` configs in all.
  Admitted admit(const std::vector<Config>& configs, std::size_t budget) {
    Admitted a;
    for (const Config& config : configs) {
      if (budget == 0) break;
      std::string key = space().key(config);
      if (!considered_.insert(key).second) continue;
      considered_order_.push_back(key);
      --budget;
      if (auto it = stored_.find(key); it != stored_.end()) {
        Result reused = it->second;
        reused.reused = true;
        record(reused);
        a.slots.emplace_back(std::move(reused));
      } else {
        a.measured_slots.push_back(a.slots.size());
        a.slots.emplace_back();
        a.to_measure.push_back(config);
        ++in_flight_;
      }
    }
    return a;
  }

  // Reuses stored results and measures the rest, at most the evaluations left; configs already
  // considered in this run are skipped. Results come back in the order of `configs` (then those
  // a refill added); the stream hears of each as it is recorded.
  std::vector<Result> measure(const std::vector<Config>& configs, const EvaluationStream& stream) {
    stream_ = &stream;
    struct Unset {
      const EvaluationStream*& s;
      ~Unset() { s = nullptr; }
    } unset{stream_};
    BatchRefill refill;
    if (stream.more) refill = [this, &stream] { return this->refill(stream); };
    Admitted a = admit(configs, remaining());
    std::vector<Result> extra;
    // On a stop request nothing more is measured: what was measured is already stored.
    if (!a.to_measure.empty() && !stop_requested()) {
      auto sink = [&](const Result& r) {
        store_.put_result(run_id_, context_, r);
        --in_flight_;
        record(r);
      };
      std::unordered_map<std::string, std::size_t> slot_of;
      for (std::size_t i = 0; i < a.to_measure.size(); ++i) {
        slot_of.emplace(space().key(a.to_measure[i]), a.measured_slots[i]);
      }
      // By key: after a stop request, configs never started have no result.
      for (Result& r : evaluator_.evaluate(a.to_measure, sink, refill)) {
        auto slot = slot_of.find(r.key);
        if (slot != slot_of.end()) {
          a.slots[slot->second] = std::move(r);
        } else {
          extra.push_back(std::move(r));
        }
      }
    }
    in_flight_ = 0;  // a stop request leaves admitted configs unmeasured
    std::vector<Result> out;
    for (auto& slot : a.slots) {
      if (slot) out.push_back(std::move(*slot));
    }
    for (auto& r : extra) out.push_back(std::move(r));
    return out;
  }

  void record(const Result& r) {
    if (stream_ && stream_->on_result) stream_->on_result(r);
    ++progress_.considered;
    ++(r.reused ? progress_.reused : progress_.measured);
    ++progress_.counts[r.status];
    charge(r);
    note_timing(r);
    progress_.elapsed_s = elapsed_s();
    observer_.on_result(r, progress_);
    compile_watch_.observe(r);  // throws when the spec or source breaks every config
  }

  // Keeps the latest timing of each ok config (re-timings replace first timings).
  void note_timing(const Result& r) {
    if (r.key == default_key_) default_result_ = r;
    if (!r.ok()) return;
    auto [it, inserted] = latest_ok_.try_emplace(r.key, r);
    if (!inserted) it->second = r;
    if (!best_ || better(r, *best_)) {
      best_ = r;
    } else if (best_->key == r.key) {
      // The best got slower on re-timing: another config may lead now.
      best_ = r;
      for (const auto& [_, other] : latest_ok_) {
        if (better(other, *best_)) best_ = other;
      }
    }
    progress_.best = best_ ? &*best_ : nullptr;
  }

  std::vector<Result> final_shootout() {
    std::vector<Result> candidates;
    for (const auto& [_, r] : latest_ok_) candidates.push_back(r);
    std::sort(candidates.begin(), candidates.end(), [](const Result& a, const Result& b) {
      return a.median_ms != b.median_ms ? a.median_ms < b.median_ms : a.key < b.key;
    });
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
    summary.setup_s = std::chrono::duration<double>(started_ - constructed_).count();
    summary.evaluator_stats = evaluator_.stats();
    summary.priors = prior_reports();
    summary.considered_keys = considered_order_;
    if (best_) summary.best_throughput = throughput_of(spec_, space(), summary.device, *best_);
    if (default_result_ && default_result_->ok()) {
      summary.default_throughput = throughput_of(spec_, space(), summary.device, *default_result_);
    }
    store_.end_run(run_id_, summary.interrupted ? "interrupted" : "completed",
                   findings_json(summary.priors));
  }

  // How well each prior predicted what this run measured (or reused) correctly.
  std::vector<PriorReport> prior_reports() const {
    std::vector<Result> here;
    for (const auto& [_, r] : latest_ok_) here.push_back(r);
    std::vector<PriorReport> out;
    for (std::size_t i = 0; i < priors_.priors.size(); ++i) {
      const Prior& p = *priors_.priors[i];
      out.push_back({p.label(), p.size(), priors_.from_store[i], prior_agreement(p, here)});
    }
    return out;
  }

  const KernelSpec& spec_;
  const TuneOptions& options_;
  Store& store_;
  TuneObserver& observer_;
  Clock::time_point constructed_;  // before the evaluator starts its workers: setup_s
  Evaluator evaluator_;
  StoreContext context_;
  RunPriors priors_;  // before search_: the search is made with them
  std::shared_ptr<Search> search_;
  std::string default_key_;  // computed once: record() runs for every result
  search::CompileFailureWatch compile_watch_{default_key_};
  Clock::time_point started_;
  std::int64_t run_id_ = 0;
  std::unordered_map<std::string, Result> stored_;
  std::unordered_set<std::string> considered_;
  std::vector<std::string> considered_order_;  // considered_, in the order of consideration
  std::map<std::string, Result> latest_ok_;  // ordered: the shootout's ties break the same way
  std::optional<Result> best_;
  std::optional<Result> default_result_;
  double charged_s_ = 0;  // the simulated clock (simulated_clock())
  const EvaluationStream* stream_ = nullptr;  // of the evaluate() call in progress
  std::size_t in_flight_ = 0;       // admitted for measuring, not yet recorded
  std::optional<double> uncapped_compile_timeout_;
  TuneProgress progress_;
};

// A re-timing replaces the config's timing (here and in the store) but keeps what the first
// measurement learned: compile time, resources, the correctness check.
std::vector<Result> Run::retime(const std::vector<Config>& configs) {
  if (configs.empty() || stop_requested()) return {};
  std::vector<Result> timed = evaluator_.retime(configs, evaluator_.options().timing);
  for (Result& t : timed) {
    if (!t.ok()) continue;
    auto known = latest_ok_.find(t.key);
    if (known != latest_ok_.end()) {
      Result merged = known->second;
      merged.times_ms = std::move(t.times_ms);
      merged.median_ms = t.median_ms;
      merged.device = t.device;  // the timing now comes from the re-timing's device
      merged.started_at = t.started_at;
      merged.finished_at = t.finished_at;
      merged.reused = false;
      t = std::move(merged);
    }
    store_.put_result(run_id_, context_, t);
    note_timing(t);
  }
  return timed;
}

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
