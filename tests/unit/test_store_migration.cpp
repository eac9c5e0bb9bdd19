// Schema migrations on files written by older tuna versions: a version-1 file (made here with
// the version-1 DDL, as tuna 1 left it) is brought to the current schema in place and keeps its
// results; the device column added by version 2 round-trips; reading a store as a recording
// (export, simulation) carries the device when the file has the column and works without it.
// A version-2 file gains the runs' findings (version 3): its runs read back with none, a run
// ended now keeps its findings, and findings that are not a JSON object are the caller's bug
// when written and read back as none when stored.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "store/import_store.hpp"
#include "store/schema.hpp"
#include "tuna/errors.hpp"
#include "tuna/store.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

// The schema exactly as migration 0 -> 1 created it. Kept verbatim here rather than taken from
// schema.cpp, so that a later edit of that migration (forbidden) breaks this test.
constexpr const char* kVersion1Ddl = R"sql(
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
  id INTEGER PRIMARY KEY,
  kernel_id INTEGER NOT NULL REFERENCES kernels(id) ON DELETE CASCADE,
  problem_id INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  strategy TEXT NOT NULL,
  options_json TEXT NOT NULL,
  started_at REAL NOT NULL,
  finished_at REAL NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL
);
CREATE INDEX runs_by_context ON runs (kernel_id, problem_id, device_id);
CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  kernel_id INTEGER NOT NULL REFERENCES kernels(id) ON DELETE CASCADE,
  problem_id INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  config_key TEXT NOT NULL,
  config_json TEXT NOT NULL,
  status TEXT NOT NULL,
  error_class TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  compile_ms REAL NOT NULL DEFAULT 0,
  times_json TEXT NOT NULL DEFAULT '[]',
  median_ms REAL,
  max_abs_error REAL NOT NULL DEFAULT 0,
  resources_json TEXT NOT NULL DEFAULT '{}',
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
)sql";

// One context and one result row, as a version-1 tuna stored them.
constexpr const char* kVersion1Rows = R"sql(
INSERT INTO kernels (id, name, spec_hash) VALUES (1, 'gemm', 'abc123');
INSERT INTO problems (id, text) VALUES (1, 'K=512,M=512,N=512');
INSERT INTO devices (id, device_id, name, backend) VALUES (1, 'cuda:H100:555:13.0', 'H100', 'cuda');
INSERT INTO results (kernel_id, problem_id, device_id, config_key, config_json, status,
                     error_class, message, compile_ms, times_json, median_ms, max_abs_error,
                     resources_json, started_at, finished_at, run_id)
VALUES (1, 1, 1, 'BM=64,BN=32', '[64,32]', 'ok', '', '', 812.5, '[0.5,0.25,0.75]', 0.5,
        1e-6, '{"registers":64}', 1700000000.5, 1700000001.25, NULL);
PRAGMA user_version = 1;
)sql";

// What migration 1 -> 2 did, verbatim (as for kVersion1Ddl), then a run as a version-2 tuna
// stored it: its options list a prior's label, and nothing says how well it predicted.
constexpr const char* kVersion2Changes = R"sql(
ALTER TABLE results ADD COLUMN device TEXT NOT NULL DEFAULT '';
INSERT INTO runs (id, kernel_id, problem_id, device_id, strategy, options_json, started_at,
                  finished_at, outcome)
VALUES (1, 1, 1, 1, 'surrogate',
        '{"max_evals":20,"priors":["store: A100 (cuda), problem N=1 (40 configs)"]}',
        1700000000.0, 1700000100.0, 'completed');
UPDATE results SET run_id = 1, device = 'cuda:0';
PRAGMA user_version = 2;
)sql";

class StoreMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tuna_store_migration_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path db_path() const { return dir_ / "tuna.db"; }

  void exec_raw(const fs::path& file, const std::string& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  std::string query_text(const fs::path& file, const std::string& sql) const {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string text;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
      text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return text;
  }

  void write_version_1_file(const fs::path& file) const {
    exec_raw(file, kVersion1Ddl);
    exec_raw(file, kVersion1Rows);
  }

  void write_version_2_file(const fs::path& file) const {
    write_version_1_file(file);
    exec_raw(file, kVersion2Changes);
  }

  static Space make_space() {
    return Space({Parameter::list("BM", {32, 64, 128}, 64), Parameter::list("BN", {32, 64}, 32)},
                 {});
  }

  static StoreContext version_1_context() {
    return {"gemm", "abc123", "K=512,M=512,N=512", "cuda:H100:555:13.0", "H100", "cuda"};
  }

  fs::path dir_;
};

TEST_F(StoreMigrationTest, TheCurrentSchemaIsVersion3) {
  EXPECT_EQ(store::schema_version_known(), 3);
}

TEST_F(StoreMigrationTest, AVersion1FileMigratesInPlaceAndItsResultReadsBackWithoutADevice) {
  write_version_1_file(db_path());
  ASSERT_EQ(query_text(db_path(), "PRAGMA user_version"), "1");

  Store store(db_path());
  EXPECT_EQ(store.schema_version(), 3);
  EXPECT_EQ(query_text(db_path(), "PRAGMA user_version"), "3");
  // The column as documented: text, never NULL, '' by default.
  EXPECT_EQ(query_text(db_path(), "SELECT type || ' ' || \"notnull\" || ' ' || dflt_value FROM "
                                  "pragma_table_info('results') WHERE name = 'device'"),
            "TEXT 1 ''");

  Space space = make_space();
  std::vector<Result> results = store.results(version_1_context(), space);
  ASSERT_EQ(results.size(), 1u);
  const Result& old = results[0];
  EXPECT_EQ(old.device, "");
  // Everything else the old row held is intact.
  EXPECT_EQ(old.key, "BM=64,BN=32");
  EXPECT_EQ(old.config, space.parse_key("BM=64,BN=32"));
  EXPECT_EQ(old.status, Status::Ok);
  EXPECT_DOUBLE_EQ(old.compile_ms, 812.5);
  EXPECT_EQ(old.times_ms, (std::vector<double>{0.5, 0.25, 0.75}));
  EXPECT_DOUBLE_EQ(old.median_ms, 0.5);
  EXPECT_DOUBLE_EQ(old.max_abs_error, 1e-6);
  EXPECT_EQ(old.resources, (std::map<std::string, double>{{"registers", 64}}));
  EXPECT_DOUBLE_EQ(old.started_at, 1700000000.5);
  EXPECT_DOUBLE_EQ(old.finished_at, 1700000001.25);
  EXPECT_TRUE(old.reused);
}

TEST_F(StoreMigrationTest, ANewResultRoundTripsItsDeviceInAMigratedFile) {
  write_version_1_file(db_path());
  Space space = make_space();
  StoreContext ctx = version_1_context();
  {
    Store store(db_path());
    std::int64_t run = store.begin_run(ctx, "random", "{}");
    Result r;
    r.config = space.parse_key("BM=128,BN=64");
    r.key = space.key(r.config);
    r.times_ms = {0.2, 0.2};
    r.median_ms = 0.2;
    r.device = "r2@node7/cuda:1";
    store.put_result(run, ctx, r);
    // Re-measured on another card of the same kind: the row follows the latest measurement.
    Result again = r;
    again.device = "r3@node8/cuda:0";
    store.put_result(run, ctx, again);
    EXPECT_EQ(store.run_results(run).at(0).device, "r3@node8/cuda:0");
    r.device = "cuda:1";
    store.put_result(run, ctx, r);
  }
  Store reopened(db_path());
  EXPECT_EQ(reopened.schema_version(), 3);
  std::optional<Result> back = reopened.find(ctx, space, "BM=128,BN=64");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->device, "cuda:1");
  std::optional<Result> old = reopened.find(ctx, space, "BM=64,BN=32");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->device, "");
}

TEST_F(StoreMigrationTest, ReadingAVersion1StoreAsARecordingNeitherMigratesItNorNeedsTheColumn) {
  write_version_1_file(db_path());
  store::Recording rec = store::recording_from_store(db_path(), version_1_context());
  ASSERT_EQ(rec.entries.size(), 1u);
  EXPECT_EQ(rec.entries[0].device, "");
  EXPECT_EQ(rec.entries[0].compile_ms, 812.5);
  // Another tuna's file is only read.
  EXPECT_EQ(query_text(db_path(), "PRAGMA user_version"), "1");
}

TEST_F(StoreMigrationTest, ImportingAStoreCarriesTheDeviceOfEachResult) {
  Space space = make_space();
  StoreContext ctx = version_1_context();
  {
    Store source(db_path());
    for (const char* key : {"BM=32,BN=32", "BM=64,BN=64"}) {
      Result r;
      r.config = space.parse_key(key);
      r.key = key;
      r.times_ms = {1.0};
      r.median_ms = 1.0;
      r.device = std::string(key) == "BM=32,BN=32" ? "cuda:0" : "r1@node2/cuda:3";
      source.put_result(0, ctx, r);
    }
  }
  store::Recording rec = store::recording_from_store(db_path(), ctx);
  ASSERT_EQ(rec.entries.size(), 2u);
  EXPECT_EQ(rec.entries[0].device, "cuda:0");
  EXPECT_EQ(rec.entries[1].device, "r1@node2/cuda:3");

  // Into another store, as `tuna import` puts a recording: the devices come along.
  Space recorded = store::recording_space(rec);
  Store target(dir_ / "other.db");
  std::int64_t run = store::put_recording(target, rec, recorded);
  std::vector<Result> imported = target.run_results(run);
  ASSERT_EQ(imported.size(), 2u);
  std::set<std::string> devices;
  for (const Result& r : imported) devices.insert(r.device);
  EXPECT_EQ(devices, (std::set<std::string>{"cuda:0", "r1@node2/cuda:3"}));
}

TEST_F(StoreMigrationTest, AVersion2FileMigratesInPlaceAndItsRunsReadBackWithoutFindings) {
  write_version_2_file(db_path());
  ASSERT_EQ(query_text(db_path(), "PRAGMA user_version"), "2");

  Store store(db_path());
  EXPECT_EQ(store.schema_version(), 3);
  EXPECT_EQ(query_text(db_path(), "PRAGMA user_version"), "3");
  EXPECT_EQ(query_text(db_path(), "SELECT type || ' ' || \"notnull\" || ' ' || dflt_value FROM "
                                  "pragma_table_info('runs') WHERE name = 'findings_json'"),
            "TEXT 1 '{}'");

  std::optional<std::pair<RunRecord, StoreContext>> run = store.run(1);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->first.findings_json, "{}");
  // The rest of the run and its context are intact.
  EXPECT_EQ(run->first.strategy, "surrogate");
  EXPECT_EQ(run->first.outcome, "completed");
  EXPECT_DOUBLE_EQ(run->first.finished_at, 1700000100.0);
  EXPECT_NE(run->first.options_json.find("store: A100"), std::string::npos);
  EXPECT_EQ(run->second.device_id, "cuda:H100:555:13.0");
  std::vector<RunRecord> runs = store.runs(version_1_context());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].findings_json, "{}");
  std::vector<Result> results = store.run_results(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].device, "cuda:0");
}

TEST_F(StoreMigrationTest, FindingsWrittenWhenARunEndsReadBack) {
  write_version_2_file(db_path());
  StoreContext ctx = version_1_context();
  const std::string findings =
      R"j({"priors":[{"label":"a.json (GPU B, 12 configs)","configs":12,"from_store":false,)j"
      R"j("compared":9,"spearman":0.81}]})j";
  std::int64_t with, without;
  {
    Store store(db_path());
    with = store.begin_run(ctx, "surrogate", "{}");
    EXPECT_EQ(store.run(with)->first.findings_json, "{}");  // while running
    store.end_run(with, "completed", findings);
    without = store.begin_run(ctx, "random", "{}");
    store.end_run(without, "interrupted");
  }
  Store reopened(db_path());
  EXPECT_EQ(reopened.run(with)->first.findings_json, findings);
  EXPECT_EQ(reopened.run(without)->first.findings_json, "{}");
  std::vector<RunRecord> runs = reopened.runs(ctx);
  ASSERT_EQ(runs.size(), 3u);  // the version-2 run, then these two
  EXPECT_EQ(runs[0].findings_json, "{}");
  EXPECT_EQ(runs[1].id, with);
  EXPECT_EQ(runs[1].findings_json, findings);
  EXPECT_EQ(runs[1].outcome, "completed");
}

TEST_F(StoreMigrationTest, FindingsThatAreNotAJsonObjectAreABugOfTheCaller) {
  Store store(db_path());
  StoreContext ctx = version_1_context();
  std::int64_t run = store.begin_run(ctx, "random", "{}");
  for (const char* bad : {"{\"priors\": [", "", "not json", "[1,2]", "null"})
    EXPECT_THROW(store.end_run(run, "completed", bad), InternalError) << bad;
  // Nothing was written: the run is still running.
  EXPECT_EQ(store.run(run)->first.outcome, "running");
  EXPECT_DOUBLE_EQ(store.run(run)->first.finished_at, 0);
}

TEST_F(StoreMigrationTest, StoredFindingsThatDoNotParseReadAsNone) {
  StoreContext ctx = version_1_context();
  std::int64_t run = 0;
  {
    Store store(db_path());
    run = store.begin_run(ctx, "random", "{}");
    store.end_run(run, "completed", R"({"priors":[]})");
  }
  // Edited by hand, or damaged: a report must still come out.
  for (const char* stored : {"{\"priors\": [", "[]", "42"}) {
    exec_raw(db_path(), std::string("UPDATE runs SET findings_json = '") + stored + "'");
    Store store(db_path());
    EXPECT_EQ(store.run(run)->first.findings_json, "{}") << stored;
    EXPECT_EQ(store.runs(ctx).at(0).findings_json, "{}") << stored;
  }
}

}  // namespace
}  // namespace tuna
