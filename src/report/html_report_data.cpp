// Gathering what the HTML report shows: the run, its results, the default, throughput and the
// LLM rounds rebuilt from the stored exchanges.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "base/ascii_text.hpp"
#include "llm/configs.hpp"
#include "llm/redaction.hpp"
#include "report/html_report.hpp"
#include "tuna/errors.hpp"

namespace tuna::report {
namespace {

// The spec's parameters without its constraints: stored keys and LLM replies are read without a
// device at hand, and constraints may need the device's facts.
Space key_space(const KernelSpec& spec) {
  std::vector<Parameter> params;
  for (const ParameterSpec& p : spec.parameters) params.push_back(p.param);
  return Space(std::move(params), {});
}

std::string utc_now() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", now);
}

std::vector<std::pair<std::string, std::string>> split_key(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> items;
  std::size_t pos = 0;
  while (pos <= key.size() && !key.empty()) {
    std::size_t comma = key.find(',', pos);
    std::string item = key.substr(pos, comma == std::string::npos ? comma : comma - pos);
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) {
      items.emplace_back(item, "");
    } else {
      items.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return items;
}

bool secret_like(std::string_view raw_name) {
  const std::string name = ascii_lower(raw_name);
  for (const char* word : {"key", "token", "secret", "password", "passwd", "auth", "credential"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

// Token counts are no secret, however their names read.
bool harmless_count(const std::string& name) {
  return name.find("tokens") != std::string::npos && name.find("key") == std::string::npos;
}

void scrub(nlohmann::json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (secret_like(it.key()) && !harmless_count(it.key())) {
        it = j.erase(it);
      } else {
        scrub(it.value());
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto& item : j) scrub(item);
  } else if (j.is_string()) {
    j = llm::strip_url_credentials(j.get<std::string>());
  }
}

void check_spec_matches(std::int64_t run_id, const StoreContext& ctx, const KernelSpec& spec) {
  if (ctx.kernel_name == spec.name && ctx.spec_hash == spec.content_hash()) return;
  throw UserError(fmt::format(
      "run {} tuned kernel '{}' with another spec than {} (kernel '{}'{}); pass the spec that "
      "run used, or leave the spec out (`tuna report --run {}`) to report the run as stored",
      run_id, ctx.kernel_name, spec.spec_path.empty() ? "the given one" : spec.spec_path.string(),
      spec.name, ctx.kernel_name == spec.name ? ", edited since" : "", run_id));
}

// Configs, the default, throughput and LLM proposals: everything that needs the spec.
void add_spec_facts(RunReport& report, const Store& store, const KernelSpec& spec,
                    std::vector<std::optional<std::vector<std::string>>>& proposals,
                    const std::vector<LlmExchange>& exchanges) {
  Space space = key_space(spec);
  report.have_spec = true;
  report.spec_description = spec.description;
  for (const Parameter& p : space.params()) report.param_names.push_back(p.name);
  Config default_config = space.default_config();
  report.default_key = space.key(default_config);
  DeviceInfo device{report.context.backend, report.context.device_name, report.context.device_id,
                    {}};
  for (Result& r : report.results) {
    try {
      r.config = space.parse_key(r.key);
    } catch (const UserError&) {
      continue;  // a parameter or value removed since: the key is still shown as stored
    }
    if (r.key == report.default_key && !report.default_result) report.default_result = r;
    if (!r.ok() || (spec.metrics.flops.empty() && spec.metrics.bytes.empty())) continue;
    try {
      report.throughput[r.key] = throughput_of(spec, space, device, r);
    } catch (const UserError&) {
      // A metric that reads a device fact: the store does not keep the facts.
    }
  }
  if (!report.default_result) {
    report.default_result = store.find(report.context, space, report.default_key);
    if (report.default_result && report.default_result->ok() &&
        !(spec.metrics.flops.empty() && spec.metrics.bytes.empty())) {
      try {
        report.throughput[report.default_key] =
            throughput_of(spec, space, device, *report.default_result);
      } catch (const UserError&) {
      }
    }
  }
  for (const LlmExchange& e : exchanges) {
    if (!e.error.empty() && e.response_text.empty()) {
      proposals.emplace_back(std::nullopt);
      continue;
    }
    llm::ParsedConfigs parsed = llm::parse_response_configs(e.response_text, space, default_config);
    std::vector<std::string> keys;
    for (const Config& c : parsed.configs) keys.push_back(space.key(c));
    proposals.emplace_back(std::move(keys));
  }
}

// A count stored as a JSON number; 0 for anything else (a report never fails on stored text).
std::size_t count_in(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number()) return 0;
  double n = it->get<double>();
  return n >= 0 && n < 1e15 ? static_cast<std::size_t>(n) : 0;
}

std::optional<ReportPrior> recorded_prior(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  auto label = j.find("label");
  if (label == j.end() || !label->is_string()) return std::nullopt;
  ReportPrior p;
  p.label = label->get<std::string>();
  p.recorded = true;
  auto from_store = j.find("from_store");
  p.from_store = from_store != j.end() && from_store->is_boolean() && from_store->get<bool>();
  p.configs = count_in(j, "configs");
  p.compared = count_in(j, "compared");
  auto spearman = j.find("spearman");
  if (spearman != j.end() && spearman->is_number() && p.compared >= 3)
    p.spearman = spearman->get<double>();
  return p;
}

}  // namespace

std::vector<ReportPrior> run_priors(const RunRecord& run) {
  std::vector<ReportPrior> priors;
  nlohmann::json findings = nlohmann::json::parse(run.findings_json, nullptr, false);
  if (findings.is_object()) {
    auto list = findings.find("priors");
    if (list != findings.end() && list->is_array()) {
      for (const nlohmann::json& item : *list)
        if (std::optional<ReportPrior> p = recorded_prior(item)) priors.push_back(std::move(*p));
      return priors;
    }
  }
  // No findings: the labels the run logged when it started.
  nlohmann::json options = nlohmann::json::parse(run.options_json, nullptr, false);
  if (!options.is_object()) return priors;
  auto labels = options.find("priors");
  if (labels == options.end() || !labels->is_array()) return priors;
  for (const nlohmann::json& label : *labels) {
    if (!label.is_string()) continue;
    ReportPrior p;
    p.label = label.get<std::string>();
    priors.push_back(std::move(p));
  }
  return priors;
}

std::vector<std::pair<std::string, std::string>> key_diff(const std::string& key,
                                                         const std::string& base) {
  std::vector<std::pair<std::string, std::string>> base_items = split_key(base), out;
  for (auto& [name, value] : split_key(key)) {
    auto same = std::find_if(base_items.begin(), base_items.end(),
                             [&](const auto& b) { return b.first == name; });
    if (same == base_items.end() || same->second != value) out.emplace_back(name, value);
  }
  return out;
}

std::string sanitized_options(const std::string& options_json) {
  nlohmann::json j = nlohmann::json::parse(options_json, nullptr, false);
  if (j.is_discarded()) return options_json;
  scrub(j);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void assign_rounds(RunReport& report, const std::vector<LlmExchange>& exchanges,
                   const std::vector<std::optional<std::vector<std::string>>>& proposals) {
  report.rounds.clear();
  report.seeds.clear();
  if (exchanges.empty()) return;
  std::set<std::string> claimed;  // a config proposed twice was measured for its first proposer
  std::vector<bool> taken(report.results.size(), false);
  for (std::size_t k = 0; k < exchanges.size(); ++k) {
    LlmRound round;
    round.index = static_cast<int>(k);
    round.exchange = exchanges[k];
    round.window_start = exchanges[k].created_at;
    if (k + 1 < exchanges.size()) {
      // The next request left `latency` seconds before its exchange was stored.
      const LlmExchange& next = exchanges[k + 1];
      round.window_end = std::max(round.window_start, next.created_at - next.latency_s);
    }
    if (k < proposals.size() && proposals[k]) {
      round.parsed = true;
      round.proposed = *proposals[k];
      for (const std::string& key : round.proposed) {
        if (!claimed.insert(key).second) continue;
        for (std::size_t i = 0; i < report.results.size(); ++i) {
          // A seed the reply proposed again was measured before the reply, not for it.
          if (report.results[i].key == key && !taken[i] &&
              report.results[i].started_at >= round.window_start) {
            round.measured.push_back(i);
            taken[i] = true;
          }
        }
      }
    } else {
      // No proposals to match: results that started while this round's reply was being used.
      for (std::size_t i = 0; i < report.results.size(); ++i) {
        double t = report.results[i].started_at;
        if (!taken[i] && t >= round.window_start && (round.window_end == 0 || t < round.window_end)) {
          round.measured.push_back(i);
          taken[i] = true;
        }
      }
    }
    report.rounds.push_back(std::move(round));
  }
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    if (!taken[i] && report.results[i].started_at < exchanges.front().created_at) {
      report.seeds.push_back(report.results[i]);
    }
  }
}

RunReport load_run_report(const Store& store, std::int64_t run_id, const KernelSpec* spec) {
  auto found = store.run(run_id);
  if (!found)
    throw UserError(fmt::format("no run {} in {}; `tuna report SPEC` reports the latest run of a "
                                "spec, and `tuna tune` prints each run's id at its end",
                                run_id, store.path().string()));
  RunReport report;
  report.run = std::move(found->first);
  report.context = std::move(found->second);
  if (spec) check_spec_matches(run_id, report.context, *spec);
  report.results = store.run_results(run_id);
  if (report.results.empty())
    throw UserError(fmt::format(
        "run {} of '{}' ({}) has no results of its own in {}: it stopped before its first "
        "result, or every config it considered was measured by an earlier run (reused), or "
        "re-measured by a later one. Report another run with --run ID, or tune with --fresh",
        run_id, report.run.kernel_name, report.run.outcome, store.path().string()));
  std::vector<LlmExchange> exchanges = store.llm_exchanges(run_id);
  std::vector<std::optional<std::vector<std::string>>> proposals;
  if (spec) add_spec_facts(report, store, *spec, proposals, exchanges);
  assign_rounds(report, exchanges, proposals);
  report.priors = run_priors(report.run);
  report.generated_at = utc_now();
  return report;
}

std::int64_t latest_run_of(const Store& store, const KernelSpec& spec) {
  std::string hash = spec.content_hash();
  std::optional<RunRecord> latest;
  for (const StoreContext& ctx : store.contexts(spec.name)) {
    if (ctx.spec_hash != hash) continue;
    for (RunRecord& run : store.runs(ctx)) {
      if (!latest || run.started_at > latest->started_at ||
          (run.started_at == latest->started_at && run.id > latest->id)) {
        latest = std::move(run);
      }
    }
  }
  if (!latest)
    throw UserError(fmt::format("no stored run of '{}' (this version of its spec) in {}; run "
                                "`tuna tune {}` first, or pass --db",
                                spec.name, store.path().string(),
                                spec.spec_path.empty() ? "SPEC" : spec.spec_path.string()));
  return latest->id;
}

}  // namespace tuna::report
