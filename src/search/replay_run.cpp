#include "search/replay_run.hpp"

#include <fmt/format.h>

#include <algorithm>
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
  }

  const KernelSpec& spec() const override { return space_.spec; }
  const Space& space() const override { return recorded_.space; }
  const DeviceInfo& device() const override { return space_.device; }
  std::uint64_t seed() const override { return key_.seed; }
  std::size_t batch_size() const override { return std::max<std::size_t>(1, settings_.batch_size); }

  // Nothing runs while a batch is measured, so `stream.more` is never asked.
  std::vector<Result> evaluate(const std::vector<Config>& configs,
                               const EvaluationStream& stream) override {
    std::vector<Result> out;
    for (const Config& config : configs) {
      if (!budget_left()) break;
      std::string key = space().key(config);
      if (!considered_.insert(key).second) continue;  // already considered in this run
      // Outside the recorded space (never measured): comes back invalid and costs nothing, as
      // in a tuning run a restricted config costs no evaluation of the device.
      Result r = sim::replay(recorded_, config, settings_.noise, noise_rng_);
      if (r.status != Status::Invalid) {
        note_timing(r);
        trace_.best_ms.push_back(best_true());
      }
      if (stream.on_result) stream.on_result(r);
      out.push_back(std::move(r));
    }
    return out;
  }

  // Median replay gives the same time again; one-repetition replay draws a new repetition.
  std::vector<Result> retime(const std::vector<Config>& configs) override {
    std::vector<Result> out;
    for (const Config& config : configs) {
      Result r = sim::replay(recorded_, config, settings_.noise, noise_rng_);
      note_timing(r);
      out.push_back(std::move(r));
    }
    // The belief after the last evaluation is what a run stopped there would return.
    if (!trace_.best_ms.empty()) trace_.best_ms.back() = best_true();
    return out;
  }

  bool budget_left() const override { return trace_.best_ms.size() < settings_.max_evals; }
  std::size_t evaluations_left() const override {
    return settings_.max_evals - std::min(settings_.max_evals, trace_.best_ms.size());
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

 private:
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
    if (why == kBudgetSpent) why = fmt::format("evaluation budget reached ({})", settings.max_evals);
    trace.guided->stop_reason = why;
    trace.guided->evaluations = trace.best_ms.size();
  }
  services.end_store_run("completed");
  return trace;
}

}  // namespace tuna::search
