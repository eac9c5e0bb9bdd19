#pragma once
// Store: one SQLite file holding every result tuna has measured, written as each result
// arrives (WAL mode), so a killed run loses at most the config in flight. Schema versioned with
// migrations; see docs/store.md.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna {

// What makes two measurements comparable: the same kernel (spec and source), the same problem,
// the same device.
struct StoreContext {
  std::string kernel_name;
  std::string spec_hash;     // KernelSpec::content_hash()
  std::string problem;       // canonical text of the problem constants, e.g. "K=512,M=512,N=512"
  std::string device_id;     // DeviceInfo::id
  std::string device_name;
  std::string backend;
};

struct RunRecord {
  std::int64_t id = 0;
  std::string kernel_name;
  std::string strategy;
  std::string options_json;  // the run's options as logged at its start
  double started_at = 0;
  double finished_at = 0;    // 0 while running (or killed)
  std::string outcome;       // "running", "completed", "interrupted", "failed: ..."
  // What the run found out beyond its results, a JSON object written when it ended, e.g.
  // {"priors": [...]} (docs/store.md). "{}" while running, for a run that failed or was stored
  // by a tuna older than schema 3, and for stored text that is not a JSON object.
  std::string findings_json = "{}";
};

struct LlmExchange {
  std::int64_t run_id = 0;
  std::string provider, model;
  std::string prompt_json, response_text;
  std::int64_t input_tokens = 0, output_tokens = 0;
  double latency_s = 0;
  std::string error;
  double created_at = 0;
};

class Store {
 public:
  // Opens or creates the database, creating parent folders and migrating the schema.
  // Throws UserError saying which file and what went wrong (unwritable, not a tuna database,
  // a newer schema than this tuna knows).
  // Safe to open the same file from several Store objects and processes at once: each write
  // waits up to 10 s for the others (SQLite's busy timeout). Not for use from several threads at
  // once, and not across fork(): a child process opens its own Store.
  explicit Store(const std::filesystem::path& path);
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;

  // Default location: $TUNA_DB, else $XDG_CACHE_HOME/tuna/tuna.db, else ~/.cache/tuna/tuna.db.
  static std::filesystem::path default_path();
  const std::filesystem::path& path() const;

  std::int64_t begin_run(const StoreContext& ctx, const std::string& strategy,
                         const std::string& options_json);
  // `findings_json` must be a JSON object (InternalError otherwise: the caller has a bug).
  void end_run(std::int64_t run_id, const std::string& outcome,
               const std::string& findings_json = "{}");
  std::vector<RunRecord> runs(const StoreContext& ctx) const;
  // One run by id, with the context it ran in (for `tuna report --run ID`); nullopt when no
  // such run is stored.
  std::optional<std::pair<RunRecord, StoreContext>> run(std::int64_t run_id) const;
  // The results last written by a run, in the order they started, with empty configs (only a
  // Space can rebuild them from the key). A result re-measured or re-timed by a later run
  // belongs to that run; results a run reused from earlier runs are not listed.
  std::vector<Result> run_results(std::int64_t run_id) const;

  // Inserts or replaces the result for (context, result.key); committed before returning.
  // run_id 0 stores the result outside any run. `reused` is not stored.
  void put_result(std::int64_t run_id, const StoreContext& ctx, const Result& result);
  // Every stored result for the context, configs rebuilt through `space` (results whose key no
  // longer parses in the space are skipped). Ok results first, fastest first; failures after,
  // by status then key. Results read back have `reused` set.
  std::vector<Result> results(const StoreContext& ctx, const Space& space) const;
  std::optional<Result> find(const StoreContext& ctx, const Space& space,
                             const std::string& key) const;
  // All contexts with at least one result for a kernel name (for `tuna show`).
  std::vector<StoreContext> contexts(const std::string& kernel_name) const;

  // created_at 0 is stamped with the current time; run_id 0 stores it outside any run.
  void put_llm_exchange(const LlmExchange& exchange);
  // In the order they were put. run_id 0 lists the exchanges stored outside any run.
  std::vector<LlmExchange> llm_exchanges(std::int64_t run_id) const;

  int schema_version() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuna
