#include "store/schema.hpp"

#include <fmt/format.h>

#include <array>

namespace tuna::store {
namespace {

using Migration = void (*)(sqlite::Database&);

// The columns that tie a run or a result to its context.
constexpr const char* kContextColumnsSql = R"sql(
  kernel_id INTEGER NOT NULL REFERENCES kernels(id) ON DELETE CASCADE,
  problem_id INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,)sql";

// Version 1: the first schema. Context tables (kernels, problems, devices) are shared by runs and
// results; deleting a context row (with foreign keys on) deletes what was measured in it. (The
// text is formatted: braces in it are doubled.)
void migrate_0_to_1(sqlite::Database& db) {
  db.exec(fmt::format(R"sql(
CREATE TABLE kernels (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  UNIQUE (name, spec_hash)
);
CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
);
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  backend TEXT NOT NULL
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,{context}
  strategy TEXT NOT NULL,
  options_json TEXT NOT NULL,
  started_at REAL NOT NULL,
  finished_at REAL NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL
);
CREATE INDEX runs_by_context ON runs (kernel_id, problem_id, device_id);
CREATE TABLE results (
  id INTEGER PRIMARY KEY,{context}
  config_key TEXT NOT NULL,
  config_json TEXT NOT NULL,
  status TEXT NOT NULL,
  error_class TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  compile_ms REAL NOT NULL DEFAULT 0,
  times_json TEXT NOT NULL DEFAULT '[]',
  median_ms REAL,
  max_abs_error REAL NOT NULL DEFAULT 0,
  resources_json TEXT NOT NULL DEFAULT '{{}}',
  started_at REAL NOT NULL DEFAULT 0,
  finished_at REAL NOT NULL DEFAULT 0,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  UNIQUE (kernel_id, problem_id, device_id, config_key)
);
CREATE INDEX results_by_run ON results (run_id);
CREATE TABLE llm_exchanges (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_json TEXT NOT NULL,
  response_text TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  latency_s REAL NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at REAL NOT NULL
);
CREATE INDEX llm_exchanges_by_run ON llm_exchanges (run_id);
)sql",
                      fmt::arg("context", kContextColumnsSql)));
}

// Version 2: the device that measured each result. The context's device (devices table) names
// the kind of card; with several cards of one kind on a host, or one rank per card under MPI,
// only this column tells which one timed a config. Rows stored before it read as ''.
void migrate_1_to_2(sqlite::Database& db) {
  db.exec("ALTER TABLE results ADD COLUMN device TEXT NOT NULL DEFAULT ''");
}

// Version 3: what a run found out beyond its results (how well each prior predicted it), a JSON
// object written when the run ends. A report is built from the store alone, later, so this must
// be stored rather than only printed. Runs stored before it read as '{}'.
void migrate_2_to_3(sqlite::Database& db) {
  db.exec("ALTER TABLE runs ADD COLUMN findings_json TEXT NOT NULL DEFAULT '{}'");
}

// kMigrations[n] takes a file from version n to n + 1. Append only.
constexpr std::array<Migration, 3> kMigrations = {migrate_0_to_1, migrate_1_to_2, migrate_2_to_3};

// A version-0 file with tables was made by something else; migrating it would mix tuna's tables
// into another program's data.
void require_empty(sqlite::Database& db) {
  std::int64_t tables =
      db.query_int("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'");
  if (tables > 0)
    throw UserError(fmt::format(
        "{} is a SQLite database but not a tuna results database (it holds {} table(s) of "
        "another program and no tuna schema version); pass another file with --db or TUNA_DB",
        db.path().string(), tables));
}

}  // namespace

int schema_version_known() { return static_cast<int>(kMigrations.size()); }

void migrate(sqlite::Database& db) {
  const int known = schema_version_known();
  // Fast path without the write lock: the common case is a file that is already up to date.
  if (db.query_int("PRAGMA user_version") == known) return;
  while (true) {
    sqlite::Transaction tx(db);
    // Read inside the write transaction: another process may have migrated while we waited.
    auto version = static_cast<int>(db.query_int("PRAGMA user_version"));
    if (version > known)
      throw UserError(fmt::format(
          "database {} has schema version {}, but this tuna only knows versions up to {}: it was "
          "written by a newer tuna. Upgrade tuna, or pass another file with --db or TUNA_DB",
          db.path().string(), version, known));
    if (version == known) return;  // the transaction rolls back: nothing was written
    if (version == 0) require_empty(db);
    kMigrations[static_cast<std::size_t>(version)](db);
    db.exec(fmt::format("PRAGMA user_version = {}", version + 1));
    tx.commit();
  }
}

}  // namespace tuna::store
