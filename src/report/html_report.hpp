#pragma once
// The HTML report of one tuning run (`tuna report`): one self-contained file, inline CSS and
// SVG, no script and nothing fetched from the network. Everything read from the store (config
// values, messages, LLM prompts and replies) is untrusted and HTML-escaped; docs/report.md
// describes the sections.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tuna/driver.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::report {

// One LLM call of a run and what came of it. Exchanges carry no round number, so rounds are
// rebuilt: round k is the k-th exchange (the search makes one call per round), its proposals
// are its reply parsed against the spec's space, and what it measured are the results that
// started between the reply's arrival and the next request.
struct LlmRound {
  int index = 0;
  LlmExchange exchange;
  bool parsed = false;                    // the proposals could be read (a spec was given)
  std::vector<std::string> proposed;      // keys of the configs the reply proposed, in its order
  std::vector<std::size_t> measured;      // indices into RunReport::results
  double window_start = 0, window_end = 0;  // seconds since the epoch; 0 end: open
};

// A prior the run's search was given, as the store tells it: from the findings stored when the
// run ended, or, for a run without them (stored by a tuna older than schema 3, or one that never
// ended), its label alone from the options logged at the start.
struct ReportPrior {
  std::string label;
  bool recorded = false;           // how well it predicted is known (the fields below)
  bool from_store = false;         // found in the store, not given with --prior
  std::size_t configs = 0;         // entries valid in the run's space
  std::size_t compared = 0;        // configs both the prior and this run ran correctly
  std::optional<double> spearman;  // rank correlation over those; none when compared < 3
};

struct RunReport {
  RunRecord run;
  StoreContext context;
  bool have_spec = false;
  std::string spec_description;
  std::vector<std::string> param_names;  // declaration order; empty without a spec
  // The run's own results, in the order they started.
  std::vector<Result> results;
  std::optional<Result> default_result;  // may come from an earlier run of the same context
  std::string default_key;               // empty without a spec
  std::map<std::string, Throughput> throughput;  // by key, for ok results when the spec has metrics
  std::vector<Result> seeds;             // results measured before the first LLM reply
  std::vector<LlmRound> rounds;
  std::vector<ReportPrior> priors;       // in the order the search was given them
  std::string generated_at;              // e.g. "2025-01-31 12:00:00 UTC"
};

// Reads run `run_id` from the store. `spec`, when given, must be the run's kernel (same name and
// spec hash): it provides the default config, the metrics and the parsing of LLM replies.
// Throws UserError when the run does not exist, belongs to another spec, or stored no results.
RunReport load_run_report(const Store& store, std::int64_t run_id, const KernelSpec* spec);

// The id of the latest run (by start time) of the spec's kernel in any of its stored contexts.
// Throws UserError naming the kernel and the database when there is none.
std::int64_t latest_run_of(const Store& store, const KernelSpec& spec);

// Rebuilds the LLM rounds of `report` from its exchanges and results (called by
// load_run_report; exposed for tests). `proposals[k]`, when present, lists the configs parsed
// from exchange k's reply.
void assign_rounds(RunReport& report, const std::vector<LlmExchange>& exchanges,
                   const std::vector<std::optional<std::vector<std::string>>>& proposals);

// The priors of a stored run (RunReport::priors): from its findings when it has them, else the
// labels in its options. Never throws: text that does not read as expected counts as absent.
std::vector<ReportPrior> run_priors(const RunRecord& run);

std::string render_html_report(const RunReport& report);

// Parameters of `key` that differ from `base`, as name/value text, read from the canonical
// "A=1,B=x" form of both keys.
std::vector<std::pair<std::string, std::string>> key_diff(const std::string& key,
                                                         const std::string& base);

// The run's options JSON with every member whose name suggests a secret (key, token, secret,
// password, auth, credential) removed and credentials stripped from URLs, pretty-printed. Text
// that is not JSON is returned as given.
std::string sanitized_options(const std::string& options_json);

}  // namespace tuna::report
