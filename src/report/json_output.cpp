#include "report/json_output.hpp"

#include <cmath>
#include <cstdio>

#include "core/codec.hpp"
#include "report/console.hpp"

namespace tuna::report {
namespace {

// JSON has no infinity or NaN: an unknown or unreached value is null.
Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json config_json(const Space& space, const Config& config) {
  Json out = Json::object();
  for (std::size_t i = 0; i < space.params().size() && i < config.size(); ++i)
    out[space.params()[i].name] = codec::to_json(config[i]);
  return out;
}

Json counts_json(const std::map<Status, std::size_t>& counts) {
  Json out = Json::object();
  for (const auto& [status, count] : counts) out[status_name(status)] = count;
  return out;
}

Json with_throughput(Json result, const Throughput& t) {
  result["throughput"] = throughput_json(t);
  return result;
}

Json time_split_json(const TuneSummary& s) {
  const EvaluatorStats& st = s.evaluator_stats;
  return {{"setup_s", s.setup_s},
          {"compile_wall_s", st.compile_wall_s},
          {"run_s", st.run_s},
          {"evaluate_wall_s", st.evaluate_wall_s},
          {"outside_evaluation_s", std::max(0.0, s.elapsed_s - st.evaluate_wall_s)},
          {"compiled", st.compiled},
          {"ran", st.ran},
          {"ran_on", st.ran_on},
          {"busy_s_on", st.busy_s_on},
          {"worker_phases_s", st.worker_phase_s},
          // A sim run's elapsed time is the recording's, not the wall's: no idle share.
          {"device_idle_share",
           s.device.backend == "sim" ? Json(nullptr) : Json(device_idle_share(s))}};
}

Json strategy_stats_json(const search::StrategyStats& st, const search::CompareOptions& o) {
  Json scores = Json::array();
  for (std::size_t i = 0; i < o.budgets.size() && i < st.score.size(); ++i)
    scores.push_back({{"budget", o.budgets[i]},
                      {"mean_score", number_or_null(st.score[i])},
                      {"stderr", i < st.score_stderr.size() ? number_or_null(st.score_stderr[i])
                                                            : Json(nullptr)}});
  Json targets = Json::array();
  for (std::size_t i = 0; i < o.targets.size() && i < st.evals_to.size(); ++i)
    targets.push_back({{"target", o.targets[i]},
                       {"mean_evaluations", number_or_null(st.evals_to[i])},
                       {"reached_fraction",
                        i < st.reached.size() ? number_or_null(st.reached[i]) : Json(nullptr)}});
  Json curve = Json::array();
  for (double v : st.curve) curve.push_back(number_or_null(v));
  Json out = {{"strategy", st.strategy}, {"random_expectation", st.exact}, {"scores", scores},
              {"targets", targets},      {"curve", curve}};
  // With a modelled evaluator (compare --pipeline): where its simulated time went.
  if (st.idle_share) out["device_idle_share"] = number_or_null(*st.idle_share);
  if (st.batches) out["batches"] = number_or_null(*st.batches);
  return out;
}

Json header(const char* command) {
  return {{"schema_version", kJsonSchemaVersion}, {"command", command}};
}

}  // namespace

Json result_json(const Result& r, const Space& space) {
  Json times = Json::array();
  for (double t : r.times_ms) times.push_back(number_or_null(t));
  return {{"key", r.key},
          {"config", config_json(space, r.config)},
          {"status", status_name(r.status)},
          {"error_class", r.error_class},
          {"message", r.message},
          {"median_ms", r.ok() ? number_or_null(r.median_ms) : Json(nullptr)},
          {"min_ms", r.ok() ? number_or_null(r.min_ms()) : Json(nullptr)},
          {"max_ms", r.ok() ? number_or_null(r.max_ms()) : Json(nullptr)},
          {"spread", r.ok() ? number_or_null(r.spread()) : Json(nullptr)},
          {"times_ms", times},
          {"compile_ms", r.compile_ms},
          {"max_abs_error", number_or_null(r.max_abs_error)},
          {"resources", r.resources},
          {"device", r.device},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"reused", r.reused}};
}

Json throughput_json(const Throughput& t) {
  return {{"gflops", t.gflops ? number_or_null(*t.gflops) : Json(nullptr)},
          {"gbps", t.gbps ? number_or_null(*t.gbps) : Json(nullptr)}};
}

Json device_json(const DeviceInfo& d) {
  return {{"name", d.name}, {"id", d.id}, {"backend", d.backend}, {"facts", codec::to_json(d.facts)}};
}

// The priors the search had and how well each predicted the run (docs/json.md).
static Json priors_json(const std::vector<PriorReport>& priors) {
  Json out = Json::array();
  for (const PriorReport& p : priors) {
    const bool compared = p.agreement.compared >= 3;
    out.push_back({{"label", p.label},
                   {"configs", p.configs},
                   {"from_store", p.from_store},
                   {"compared", p.agreement.compared},
                   {"spearman", compared ? number_or_null(p.agreement.spearman) : Json(nullptr)}});
  }
  return out;
}

Json tune_json(const TuneSummary& s, const KernelSpec& spec, const Space& space,
               const std::string& store_path) {
  Json out = header("tune");
  out["run_id"] = s.run_id;
  out["kernel"] = s.kernel_name;
  out["problem"] = spec.problem_key();
  out["spec_hash"] = s.spec_hash;
  out["device"] = device_json(s.device);
  out["strategy"] = s.strategy;
  out["stop_reason"] = s.stop_reason;
  out["interrupted"] = s.interrupted;
  out["elapsed_s"] = s.elapsed_s;
  out["considered"] = s.progress.considered;
  out["considered_keys"] = s.considered_keys;
  out["measured"] = s.progress.measured;
  out["reused"] = s.progress.reused;
  out["counts"] = counts_json(s.progress.counts);
  out["best"] = s.best ? with_throughput(result_json(*s.best, space), s.best_throughput)
                       : Json(nullptr);
  out["default"] = s.default_result
                       ? with_throughput(result_json(*s.default_result, space),
                                         s.default_throughput)
                       : Json(nullptr);
  bool both_ok = s.best && s.default_result && s.default_result->ok() && s.best->median_ms > 0;
  out["speedup"] = both_ok ? number_or_null(s.default_result->median_ms / s.best->median_ms)
                           : Json(nullptr);
  Json finalists = Json::array();
  for (const Result& r : s.finalists) finalists.push_back(result_json(r, space));
  out["finalists"] = finalists;
  out["time_split"] = time_split_json(s);
  out["priors"] = priors_json(s.priors);
  out["store"] = store_path;
  return out;
}

Json run_json(const Result& result, const KernelSpec& spec, const Space& space,
              const DeviceInfo& device, std::int64_t run_id, const std::string& store_path) {
  Json out = header("run");
  out["run_id"] = run_id;
  out["kernel"] = spec.name;
  out["problem"] = spec.problem_key();
  out["device"] = device_json(device);
  out["result"] = with_throughput(result_json(result, space),
                                  result.ok() ? throughput_of(spec, space, device, result)
                                              : Throughput{});
  out["store"] = store_path;
  return out;
}

Json show_json(const std::string& kernel, const std::vector<ShownContext>& contexts,
               const Space& space, std::size_t limit, bool failures) {
  Json out = header("show");
  out["kernel"] = kernel;
  Json list = Json::array();
  for (const ShownContext& c : contexts) {
    std::size_t ok = 0;
    Json rows = Json::array();
    for (std::size_t i = 0; i < c.results.size(); ++i) {
      const Result& r = c.results[i];
      ok += r.ok();
      if ((!r.ok() && !failures) || (limit && rows.size() >= limit)) continue;
      Json row = result_json(r, space);
      row["rank"] = i + 1;
      rows.push_back(std::move(row));
    }
    list.push_back({{"device", {{"name", c.context.device_name},
                                {"id", c.context.device_id},
                                {"backend", c.context.backend}}},
                    {"problem", c.context.problem},
                    {"spec_hash", c.context.spec_hash},
                    {"total", c.results.size()},
                    {"ok", ok},
                    {"results", rows}});
  }
  out["contexts"] = list;
  return out;
}

Json compare_json(const search::CompareReport& report, const std::string& noise) {
  const search::CompareOptions& o = report.options;
  Json out = header("compare");
  out["options"] = {{"strategies", o.strategies}, {"budgets", o.budgets},
                    {"targets", o.targets},       {"runs", o.runs},
                    {"seed", o.seed},             {"noise", noise},
                    {"batch", o.batch_size}};
  if (o.pipeline) {
    out["options"]["pipeline"] = {{"compile_jobs", o.pipeline->compile_jobs},
                                  {"devices", o.pipeline->devices},
                                  {"lookahead", o.lookahead}};
  }
  out["seconds"] = report.seconds;
  Json spaces = Json::array();
  for (const search::SpaceStats& sp : report.spaces) {
    Json rows = Json::array();
    for (const auto& st : sp.strategies) rows.push_back(strategy_stats_json(st, o));
    spaces.push_back({{"name", sp.name},
                      {"configs", sp.configs},
                      {"ok_configs", sp.ok_configs},
                      {"optimum_ms", number_or_null(sp.optimum_ms)},
                      {"strategies", rows}});
  }
  out["spaces"] = spaces;
  Json average = Json::array();
  for (const auto& st : report.average) average.push_back(strategy_stats_json(st, o));
  out["average"] = average;
  return out;
}

void print_json(const Json& document) {
  // Compiler messages may hold bytes that are not UTF-8; replace them rather than fail.
  std::string text = document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace tuna::report
