#include "tuna/store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>

#include "base/epoch_seconds.hpp"
#include "store/result_codec.hpp"
#include "store/result_query.hpp"
#include "store/schema.hpp"
#include "store/sqlite_handle.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;
using sqlite::Statement;

const char* env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

// The columns of a RunRecord, in read_run's order.
constexpr const char* kRunColumns =
    "x.id, k.name, x.strategy, x.options_json, x.started_at, x.finished_at, x.outcome, "
    "x.findings_json";
// The number of columns in kRunColumns (a run's context follows them in Store::run).
constexpr int kRunColumnCount = 8;

bool is_json_object(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object();
}

RunRecord read_run(const Statement& stmt) {
  sqlite::Columns row(stmt);
  RunRecord run{row.int64(), row.text(), row.text(), row.text(),
                row.real(),  row.real(), row.text(), row.text()};
  // Someone may have edited the file by hand: a report must still come out, without findings.
  if (!is_json_object(run.findings_json)) run.findings_json = "{}";
  return run;
}

// The Result of a row, or nullopt when the row no longer fits: an unknown status, or a key that
// the current space rejects (a parameter or value was removed since it was measured).
std::optional<Result> decode_row(const Statement& stmt, const Space& space) {
  std::optional<Result> result = store::decode_result(store::read_result_row(stmt));
  if (!result) return std::nullopt;
  try {
    result->config = space.parse_key(result->key);
  } catch (const UserError&) {
    return std::nullopt;
  }
  return result;
}

// Switching a file to WAL needs it to itself for a moment, and SQLite reports another process
// doing the same (two tuna runs starting on a fresh file) as SQLITE_BUSY at once instead of
// calling the busy handler; so wait here, as long as the busy timeout would.
void enable_wal(Database& db) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(sqlite::kBusyTimeoutMs);
  while (true) {
    try {
      db.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (const sqlite::SqliteError& e) {
      if (e.code() != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void create_parent_folder(const fs::path& path) {
  fs::path parent = path.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw UserError(
        fmt::format("cannot create the folder {} for the results database: {}; "
                    "pass another file with --db or TUNA_DB",
                    parent.string(), ec.message()));
}

// Opens, configures and migrates the file, turning SQLite's terse complaints into messages that
// say which file and what to do.
Database open_database(const fs::path& path) {
  create_parent_folder(path);
  std::optional<Database> db;
  try {
    db.emplace(path);
  } catch (const sqlite::SqliteError& e) {
    throw UserError(
        fmt::format("{}; check that the file and its folder are writable, or pass "
                    "another file with --db or TUNA_DB",
                    e.what()));
  }
  db->set_busy_timeout_ms(sqlite::kBusyTimeoutMs);
  try {
    db->exec("PRAGMA foreign_keys = ON");
    // WAL lets readers run while one process writes, and makes each commit one append.
    // synchronous=NORMAL keeps every commit across a crash or kill of tuna (only a power cut can
    // lose the last few), at a fraction of FULL's fsyncs.
    enable_wal(*db);
    db->exec("PRAGMA synchronous = NORMAL");
    store::migrate(*db);
  } catch (const sqlite::SqliteError& e) {
    if (e.code() == SQLITE_NOTADB || e.code() == SQLITE_CORRUPT)
      throw UserError(fmt::format(
          "{} is not a tuna results database, or is damaged (SQLite says: {}); pass another "
          "file with --db or TUNA_DB, or move this one away",
          path.string(), sqlite3_errstr(e.code())));
    throw;
  }
  return std::move(*db);
}

struct ContextIds {
  std::int64_t kernel = 0, problem = 0, device = 0;
};

// One row of a statement that has a RETURNING clause, read and reset.
std::int64_t returning_id(Statement& stmt) {
  TUNA_ASSERT(stmt.step(), "upsert returned no id");
  std::int64_t id = stmt.column_int64(0);
  stmt.reset();
  return id;
}

}  // namespace

struct Store::Impl {
  explicit Impl(const fs::path& p)
      : path(p),
        db(open_database(p)),
        // A no-op DO UPDATE rather than DO NOTHING: RETURNING then yields the id of an existing
        // row too, so each context row costs one statement.
        upsert_kernel(db,
                      "INSERT INTO kernels (name, spec_hash) VALUES (?1, ?2) "
                      "ON CONFLICT (name, spec_hash) DO UPDATE SET name = excluded.name "
                      "RETURNING id"),
        upsert_problem(db,
                       "INSERT INTO problems (text) VALUES (?1) "
                       "ON CONFLICT (text) DO UPDATE SET text = excluded.text RETURNING id"),
        // A device's name and backend follow its latest use.
        upsert_device(db,
                      "INSERT INTO devices (device_id, name, backend) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, "
                      "backend = excluded.backend RETURNING id"),
        // An update in place rather than INSERT OR REPLACE: the row keeps its id.
        upsert_result(db,
                      "INSERT INTO results (kernel_id, problem_id, device_id, config_key, "
                      "config_json, status, error_class, message, compile_ms, times_json, "
                      "median_ms, max_abs_error, resources_json, started_at, finished_at, run_id, "
                      "device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                      "?14, ?15, ?16, ?17) "
                      "ON CONFLICT (kernel_id, problem_id, device_id, config_key) DO UPDATE "
                      "SET config_json = excluded.config_json, status = excluded.status, "
                      "error_class = excluded.error_class, message = excluded.message, "
                      "compile_ms = excluded.compile_ms, times_json = excluded.times_json, "
                      "median_ms = excluded.median_ms, max_abs_error = excluded.max_abs_error, "
                      "resources_json = excluded.resources_json, started_at = "
                      "excluded.started_at, finished_at = excluded.finished_at, "
                      "run_id = excluded.run_id, device = excluded.device") {}

  // Must run inside a write transaction.
  ContextIds upsert_context(const StoreContext& ctx) {
    ContextIds ids;
    upsert_kernel.reset();
    upsert_kernel.bind(1, ctx.kernel_name).bind(2, ctx.spec_hash);
    ids.kernel = returning_id(upsert_kernel);
    upsert_problem.reset();
    upsert_problem.bind(1, ctx.problem);
    ids.problem = returning_id(upsert_problem);
    upsert_device.reset();
    upsert_device.bind(1, ctx.device_id).bind(2, ctx.device_name).bind(3, ctx.backend);
    ids.device = returning_id(upsert_device);
    return ids;
  }

  fs::path path;
  Database db;
  // put_result runs once per measured config: its statements are prepared once per Store.
  Statement upsert_kernel, upsert_problem, upsert_device, upsert_result;
};

Store::Store(const fs::path& path) : impl_(std::make_unique<Impl>(path)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

fs::path Store::default_path() {
  if (const char* db = env_or_null("TUNA_DB")) return db;
  if (const char* cache = env_or_null("XDG_CACHE_HOME"))
    return fs::path(cache) / "tuna" / "tuna.db";
  if (const char* home = env_or_null("HOME")) return fs::path(home) / ".cache" / "tuna" / "tuna.db";
  throw UserError(
      "cannot choose where to keep the results database: none of TUNA_DB, XDG_CACHE_HOME and "
      "HOME is set; set TUNA_DB or pass --db");
}

const fs::path& Store::path() const { return impl_->path; }

int Store::schema_version() const {
  return static_cast<int>(impl_->db.query_int("PRAGMA user_version"));
}

std::int64_t Store::begin_run(const StoreContext& ctx, const std::string& strategy,
                              const std::string& options_json) {
  sqlite::Transaction tx(impl_->db);
  ContextIds ids = impl_->upsert_context(ctx);
  Statement insert(impl_->db,
                   "INSERT INTO runs (kernel_id, problem_id, device_id, strategy, options_json, "
                   "started_at, finished_at, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, "
                   "'running')");
  insert.bind(1, ids.kernel).bind(2, ids.problem).bind(3, ids.device);
  insert.bind(4, strategy).bind(5, options_json).bind(6, epoch_seconds());
  insert.run();
  std::int64_t id = impl_->db.last_insert_rowid();
  tx.commit();
  return id;
}

void Store::end_run(std::int64_t run_id, const std::string& outcome,
                    const std::string& findings_json) {
  TUNA_ASSERT(is_json_object(findings_json),
              fmt::format("end_run of run {} with findings that are not a JSON object: {}", run_id,
                          findings_json.substr(0, 200)));
  Statement update(impl_->db,
                   "UPDATE runs SET finished_at = ?1, outcome = ?2, findings_json = ?3 "
                   "WHERE id = ?4");
  update.bind(1, epoch_seconds()).bind(2, outcome).bind(3, findings_json).bind(4, run_id);
  update.run();
  TUNA_ASSERT(impl_->db.changes() == 1, fmt::format("end_run of unknown run {}", run_id));
}

std::vector<RunRecord> Store::runs(const StoreContext& ctx) const {
  Statement query(impl_->db, fmt::format("SELECT {} FROM runs x{}{} ORDER BY x.started_at, x.id",
                                         kRunColumns, store::kContextJoins, store::kWhereContext));
  store::bind_context(query, ctx);
  std::vector<RunRecord> runs;
  while (query.step()) runs.push_back(read_run(query));
  return runs;
}

std::optional<std::pair<RunRecord, StoreContext>> Store::run(std::int64_t run_id) const {
  Statement query(impl_->db, fmt::format("SELECT {}, {} FROM runs x{} WHERE x.id = ?1", kRunColumns,
                                         store::kContextColumns, store::kContextJoins));
  query.bind(1, run_id);
  if (!query.step()) return std::nullopt;
  return std::make_pair(read_run(query), store::read_context(query, kRunColumnCount));
}

std::vector<Result> Store::run_results(std::int64_t run_id) const {
  Statement query(impl_->db, fmt::format("SELECT {} FROM results x WHERE x.run_id = ?1 "
                                         "ORDER BY x.started_at, x.id",
                                         store::result_columns()));
  query.bind(1, run_id);
  std::vector<Result> results;
  while (query.step())
    if (std::optional<Result> r = store::decode_result(store::read_result_row(query)))
      results.push_back(*r);
  return results;
}

void Store::put_result(std::int64_t run_id, const StoreContext& ctx, const Result& result) {
  store::ResultRow row = store::encode_result(result);
  // One transaction per result: when this returns the row is in the WAL, and a kill of this
  // process at any later point cannot take it back.
  sqlite::Transaction tx(impl_->db);
  ContextIds ids = impl_->upsert_context(ctx);
  Statement& stmt = impl_->upsert_result;
  stmt.reset();
  stmt.bind(1, ids.kernel).bind(2, ids.problem).bind(3, ids.device);
  stmt.bind(4, row.config_key).bind(5, row.config_json).bind(6, row.status);
  stmt.bind(7, row.error_class).bind(8, row.message).bind(9, row.compile_ms);
  stmt.bind(10, row.times_json).bind(11, row.median_ms).bind(12, row.max_abs_error);
  stmt.bind(13, row.resources_json).bind(14, row.started_at).bind(15, row.finished_at);
  stmt.bind_id_or_null(16, run_id);
  stmt.bind(17, row.device);
  stmt.run();
  stmt.reset();
  tx.commit();
}

std::vector<Result> Store::results(const StoreContext& ctx, const Space& space) const {
  // Ok results by median, then failures grouped by status; the key breaks ties so the order is
  // the same on every call.
  Statement query(impl_->db,
                  fmt::format("SELECT {} FROM results x{}{} ORDER BY x.status <> 'ok', "
                              "CASE WHEN x.status = 'ok' THEN coalesce(x.median_ms, 1e308) END, "
                              "x.status, x.config_key",
                              store::result_columns(), store::kContextJoins, store::kWhereContext));
  store::bind_context(query, ctx);
  std::vector<Result> results;
  while (query.step())
    if (std::optional<Result> result = decode_row(query, space)) results.push_back(*result);
  return results;
}

std::optional<Result> Store::find(const StoreContext& ctx, const Space& space,
                                  const std::string& key) const {
  Statement query(impl_->db,
                  fmt::format("SELECT {} FROM results x{}{} AND x.config_key = ?5",
                              store::result_columns(), store::kContextJoins, store::kWhereContext));
  store::bind_context(query, ctx);
  query.bind(5, key);
  if (!query.step()) return std::nullopt;
  return decode_row(query, space);
}

std::vector<StoreContext> Store::contexts(const std::string& kernel_name) const {
  Statement query(impl_->db, fmt::format("SELECT DISTINCT {} FROM results x{} WHERE k.name = ?1 "
                                         "ORDER BY p.text, d.device_id, k.spec_hash",
                                         store::kContextColumns, store::kContextJoins));
  query.bind(1, kernel_name);
  std::vector<StoreContext> contexts;
  while (query.step()) contexts.push_back(store::read_context(query, 0));
  return contexts;
}

void Store::put_llm_exchange(const LlmExchange& e) {
  Statement insert(impl_->db,
                   "INSERT INTO llm_exchanges (run_id, provider, model, prompt_json, "
                   "response_text, input_tokens, output_tokens, latency_s, error, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  insert.bind_id_or_null(1, e.run_id).bind(2, e.provider).bind(3, e.model);
  insert.bind(4, e.prompt_json).bind(5, e.response_text).bind(6, e.input_tokens);
  insert.bind(7, e.output_tokens).bind(8, e.latency_s).bind(9, e.error);
  insert.bind(10, e.created_at != 0 ? e.created_at : epoch_seconds());
  insert.run();
}

std::vector<LlmExchange> Store::llm_exchanges(std::int64_t run_id) const {
  // `IS` rather than `=`: run id 0 is stored as NULL and must match NULL.
  Statement query(impl_->db,
                  "SELECT run_id, provider, model, prompt_json, response_text, input_tokens, "
                  "output_tokens, latency_s, error, created_at FROM llm_exchanges "
                  "WHERE run_id IS ?1 ORDER BY id");
  query.bind_id_or_null(1, run_id);
  std::vector<LlmExchange> exchanges;
  while (query.step()) {
    sqlite::Columns row(query);
    exchanges.push_back(LlmExchange{row.int64(), row.text(), row.text(), row.text(), row.text(),
                                    row.int64(), row.int64(), row.real(), row.text(), row.real()});
  }
  return exchanges;
}

}  // namespace tuna
