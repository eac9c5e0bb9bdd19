#include "search/replay_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <unordered_set>

#include "base/hash.hpp"
#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"

namespace tuna::search {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// A recorded device known by its name only.
DeviceInfo named_device(const std::string& name) {
  DeviceInfo d;
  d.name = name;
  return d;
}

// The spec hash names the kernel in the store. A spec read from a file hashes its recording
// (KernelSpec::content_hash on the sim backend); one made in memory has no file to read.
std::string spec_hash(const KernelSpec& spec, const sim::RecordedSpace& recorded) {
  if (!spec.recording.empty()) return spec.content_hash();
  ContentHasher h;
  h.field("tuna.compare.recorded_space.v1");
  h.field(spec.name);
  for (const sim::RecordedConfig& rc : recorded.configs) h.field(rc.key);
  return h.hex();
}

// SearchServices over a recorded space: evaluations are replays, and the trace follows what the
// search believes is best.
class RecordedServices final : public SearchServices {
 public:
  RecordedServices(const ReplaySpace& space, const CompareRunKey& key,
                   const ReplayRunSettings& settings, RunTrace& trace)
      : space_(space),
        recorded_(*space.recorded),
        key_(key),
        settings_(settings),
        trace_(trace),
        noise_rng_(replay_noise_seed(key.seed)),
        compile_timeout_s_(EvaluatorOptions{}.compile_timeout_s) {
    if (settings.guided) {
      trace_.guided.emplace();
      trace_.guided->seed = key.seed;
    }
    trace_.best_ms.reserve(settings.max_evals);
    if (settings.pipeline) pipeline_.emplace(*settings.pipeline);
    TUNA_ASSERT(settings.max_evals > 0 || timed(),
                "a replay needs a budget: evaluations, or modelled seconds with a pipeline");
  }

  const KernelSpec& spec() const override { return space_.spec; }
  const Space& space() const override { return recorded_.space; }
  const DeviceInfo& device() const override { return space_.device; }
  std::uint64_t seed() const override { return key_.seed; }
  std::size_t batch_size() const override { return std::max<std::size_t>(1, settings_.batch_size); }

  std::vector<Result> evaluate(const std::vector<Config>& configs,
                               const EvaluationStream& stream) override {
    return pipeline_ ? evaluate_pipelined(configs, stream) : evaluate_at_once(configs, stream);
  }

  // Median replay gives the same time again; one-repetition replay draws a new repetition.
  std::vector<Result> retime(const std::vector<Config>& configs) override {
    std::vector<Result> out;
    for (const Config& config : configs) {
      Result r = sim::replay(recorded_, config, settings_.noise, noise_rng_);
      if (pipeline_) pipeline_->retime(run_s(r));
      note_timing(r);
      out.push_back(std::move(r));
    }
    // The belief after the last evaluation is what a run stopped there would return.
    if (!trace_.best_ms.empty()) trace_.best_ms.back() = best_true();
    return out;
  }

  // Configs in flight in a modelled pipeline count, as in a tuning run: the budget holds exactly.
  bool budget_left() const override {
    if (timed() && pipeline_->now_s() >= settings_.time_budget_s) return false;
    return evaluations_left() > 0;
  }
  std::size_t evaluations_left() const override {
    if (timed() && settings_.max_evals == 0) return SIZE_MAX;
    return settings_.max_evals - std::min(settings_.max_evals, admitted_);
  }

  // A replayed client may log from round 0's request thread.
  void log(const std::string& line) override {
    std::lock_guard lock(log_mutex_);
    if (trace_.guided) trace_.guided->log.push_back(line);
    if (settings_.on_log) settings_.on_log(line);
  }
  void cap_compile_timeout(double seconds) override {
    if (!uncapped_) uncapped_ = compile_timeout_s_;
    compile_timeout_s_ = std::min(compile_timeout_s_, seconds);
  }
  void restore_compile_timeout() override {
    if (uncapped_) compile_timeout_s_ = *uncapped_;
    uncapped_.reset();
  }
  double compile_timeout_s() const override { return compile_timeout_s_; }

  void record_llm_exchange(const LlmExchange& exchange) override {
    if (!trace_.guided) return;
    LlmUsage& u = trace_.guided->llm;
    ++u.calls;
    if (!exchange.error.empty()) ++u.failed_calls;
    u.input_tokens += exchange.input_tokens;
    u.output_tokens += exchange.output_tokens;
    u.model_s += exchange.latency_s;
    if (!store_) return;
    LlmExchange e = exchange;
    e.run_id = run_id_;
    store_->put_llm_exchange(e);
  }
  std::int64_t run_id() const override { return run_id_; }
  // Without a modelled evaluator nothing takes time, so nothing can be measured "meanwhile".
  RunClock clock() const override { return pipeline_ ? RunClock::Modelled : RunClock::None; }
  double clock_s() const override { return pipeline_ ? pipeline_->now_s() : 0.0; }
  void idle_until(double clock_s) override {
    if (pipeline_) pipeline_->idle_until(clock_s);
  }
  const std::vector<std::shared_ptr<const Prior>>& priors() const override {
    return space_.priors;
  }

  // One store run per space x strategy x seed, with the compare settings and the search's.
  void begin_store_run(const Search& search) {
    if (settings_.store.empty() || !trace_.guided) return;
    store_.emplace(settings_.store);
    nlohmann::json options = {
        {"compare",
         {{"space", key_.space},
          {"seed", key_.seed},
          {"max_evals", settings_.max_evals},
          {"noise", settings_.noise == sim::ReplayNoise::Median ? "median" : "one-repetition"},
          {"batch_size", batch_size()}}},
        {"search", nlohmann::json::parse(search.options_json(), nullptr, false)}};
    run_id_ = store_->begin_run(space_.context, key_.strategy, options.dump());
    trace_.guided->store_run = run_id_;
  }
  void end_store_run(const std::string& outcome) {
    if (store_) store_->end_run(run_id_, outcome);
  }

  std::optional<PipelineTimes> pipeline_times() const {
    if (!pipeline_) return std::nullopt;
    return pipeline_->times();
  }

 private:
  bool timed() const { return pipeline_ && settings_.time_budget_s > 0; }

  // Without a pipeline nothing runs while a batch is measured, so `stream.more` is never asked.
  std::vector<Result> evaluate_at_once(const std::vector<Config>& configs,
                                       const EvaluationStream& stream) {
    std::vector<Result> out;
    for (const Config& config : configs) {
      if (!budget_left()) break;
      std::optional<Result> r = admit(config);
      if (!r) continue;
      if (r->status != Status::Invalid) {
        record(*r, stream);
      } else if (stream.on_result) {
        stream.on_result(*r);
      }
      out.push_back(std::move(*r));
    }
    return out;
  }

  // Through the modelled pipeline: the batch's configs are admitted at once (as the driver
  // does), then each result is recorded when the model says it ends. When the batch's queue runs
  // dry the search's `more` is asked as the driver's refill asks it (Run::refill in driver.cpp):
  // a quarter of a batch at a time, again while all it proposed was considered already.
  std::vector<Result> evaluate_pipelined(const std::vector<Config>& configs,
                                         const EvaluationStream& stream) {
    std::vector<Result> slots;      // in the order admitted, as evaluate() returns them
    std::deque<std::size_t> queue;  // slots not yet taken by a compile job
    auto add = [&](const std::vector<Config>& proposed) {
      std::size_t added = 0;
      for (const Config& config : proposed) {
        if (!budget_left()) break;
        std::optional<Result> r = admit(config);
        if (!r) continue;
        // Outside the recorded space: rejected before compiling, as the evaluator does.
        if (r->status == Status::Invalid) {
          if (stream.on_result) stream.on_result(*r);
        } else {
          queue.push_back(slots.size());
          ++added;
        }
        slots.push_back(std::move(*r));
      }
      return added;
    };
    auto refill = [&] {
      if (!stream.more) return false;
      while (budget_left()) {
        std::size_t n = std::min(evaluations_left(), std::max<std::size_t>(1, batch_size() / 4));
        std::vector<Config> proposed = stream.more(n);
        if (proposed.empty()) return false;
        if (add(proposed) > 0) return true;
      }
      return false;
    };
    auto take = [&]() -> std::optional<PipelineJob> {
      if (queue.empty() && !refill()) return std::nullopt;
      std::size_t slot = queue.front();
      queue.pop_front();
      const Result& r = slots[slot];
      return PipelineJob{slot, r.compile_ms * 1e-3, run_s(r), r.status != Status::CompileError};
    };
    add(configs);
    pipeline_->run_batch(take, [&](std::size_t slot) { record(slots[slot], stream); });
    return slots;
  }

  // The replayed result of a config not considered before in this run (counted against the
  // budget unless it is outside the recorded space, which costs nothing); nullopt for one
  // considered already.
  std::optional<Result> admit(const Config& config) {
    std::string key = space().key(config);
    if (!considered_.insert(key).second) return std::nullopt;
    // Outside the recorded space (never measured): comes back invalid and costs nothing, as
    // in a tuning run a restricted config costs no evaluation of the device.
    Result r = sim::replay(recorded_, config, settings_.noise, noise_rng_);
    if (r.status != Status::Invalid) ++admitted_;
    return r;
  }

  void record(const Result& r, const EvaluationStream& stream) {
    note_timing(r);
    trace_.best_ms.push_back(best_true());
    if (stream.on_result) stream.on_result(r);
  }

  static double run_s(const Result& replayed) {
    auto run = replayed.resources.find("run_ms");
    return run == replayed.resources.end() ? 0.0 : run->second * 1e-3;
  }

  // Keeps the latest timing of each ok config; the best is the fastest of those, as the
  // driver's note_timing keeps it (a re-timing may make the best slower than another).
  void note_timing(const Result& r) {
    if (!r.ok()) return;
    latest_[r.key] = r.median_ms;
    if (r.median_ms < best_seen_) {
      best_seen_ = r.median_ms;
      best_key_ = r.key;
    } else if (r.key == best_key_) {
      best_seen_ = r.median_ms;
      for (const auto& [key, ms] : latest_) {
        if (ms < best_seen_) {
          best_seen_ = ms;
          best_key_ = key;
        }
      }
    }
  }
  // The recorded median of the config believed best (its true time under noisy replay).
  double best_true() const {
    if (best_key_.empty()) return kNever;
    const sim::RecordedConfig* rc = recorded_.find(best_key_);
    return rc ? rc->time_ms : best_seen_;
  }

  const ReplaySpace& space_;
  const sim::RecordedSpace& recorded_;
  CompareRunKey key_;
  const ReplayRunSettings& settings_;
  RunTrace& trace_;
  std::mt19937_64 noise_rng_;
  std::unordered_set<std::string> considered_;
  std::size_t admitted_ = 0;  // considered configs of the recorded space: the evaluations
  std::optional<SimulatedPipeline> pipeline_;
  std::map<std::string, double> latest_;  // ordered: ties after a re-timing break the same way
  double best_seen_ = kNever;
  std::string best_key_;
  double compile_timeout_s_;
  std::optional<double> uncapped_;
  std::optional<Store> store_;
  std::int64_t run_id_ = 0;
  std::mutex log_mutex_;
};

std::string short_error(const std::string& what) {
  std::string line = what.substr(0, what.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

}  // namespace

ReplaySpace prepare_replay_space(const sim::RecordedSpace& recorded, KernelSpec spec) {
  ReplaySpace out;
  out.recorded = &recorded;
  if (!spec.recorded_device && !recorded.device_name.empty())
    spec.recorded_device = named_device(recorded.device_name);
  DeviceInfo simulated;
  simulated.backend = "sim";
  simulated.name = "recorded device (simulation)";
  simulated.id = "sim";
  out.device = device_for_spec(spec, simulated);
  // The prompt lists the recorded space's constraints under the spec's names: the spec's own
  // (T1 restrictions) when the space carries them, then the recording's pseudo-constraint.
  const std::size_t n = recorded.space.constraints().size();
  if (recorded.space.restricted()) {
    if (spec.constraint_names.size() + 1 != n) spec.constraint_names.clear();
    while (spec.constraint_names.size() + 1 < n)
      spec.constraint_names.push_back(
          fmt::format("restriction_{}", spec.constraint_names.size() + 1));
    spec.constraint_names.push_back("in_recorded_space");
  }
  // The recording holds every answer: it must never reach the LLM as "the source". Without a
  // source the first prompt says the source is not available.
  if (!spec.source.empty() && spec.source == spec.recording) spec.source.clear();
  out.context = {spec.name,     spec_hash(spec, recorded), spec.problem_key(),
                 out.device.id, out.device.name,           out.device.backend};
  out.spec = std::move(spec);
  return out;
}


RunTrace run_search_on_recording(const ReplaySpace& space, const CompareRunKey& key,
                                 const SearchMaker& make_search,
                                 const ReplayRunSettings& settings) {
  TUNA_ASSERT(space.recorded != nullptr, "run_search_on_recording needs a recorded space");
  RunTrace trace;
  RecordedServices services(space, key, settings, trace);
  std::shared_ptr<Search> search =
      make_search([&services](const std::string& line) { services.log(line); });
  services.begin_store_run(*search);
  std::string why;
  try {
    why = search->run(services);
  } catch (const UserError& e) {
    // Name the run: a comparison runs many, and the message alone does not say which failed.
    services.end_store_run("failed: " + short_error(e.what()));
    throw UserError(
        fmt::format("{} on {} (seed {}): {}", key.strategy, key.space, key.seed, e.what()));
  } catch (const std::exception& e) {
    services.end_store_run("failed: " + short_error(e.what()));
    throw;
  }
  if (trace.guided) {
    if (why == kBudgetSpent) {
      const bool timed_out = settings.pipeline && settings.time_budget_s > 0 &&
                             services.clock_s() >= settings.time_budget_s;
      why = timed_out
                ? fmt::format("time budget reached ({:g} s, modelled)", settings.time_budget_s)
                : fmt::format("evaluation budget reached ({})", settings.max_evals);
    }
    trace.guided->stop_reason = why;
    trace.guided->evaluations = trace.best_ms.size();
  }
  services.end_store_run("completed");
  trace.pipeline = services.pipeline_times();
  return trace;
}

}  // namespace tuna::search
