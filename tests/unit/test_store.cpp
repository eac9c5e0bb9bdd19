// The results store: persistence, upserts, ordering, separation of contexts, runs, LLM
// exchanges, error messages for bad files, and no loss under concurrent writers or a kill -9.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "store/schema.hpp"
#include "tuna/errors.hpp"
#include "tuna/store.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

// Every test runs in a fresh folder of its own, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tuna_store_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path db_path() const { return dir_ / "tuna.db"; }

  static Space make_space() {
    return Space(
        {Parameter::list("BM", {16, 32, 64, 128}, 32), Parameter::list("BN", {16, 32, 64, 128}, 64),
         Parameter::list("MODE", {"fast", "safe"}, "fast")},
        {});
  }

  static StoreContext make_context() {
    StoreContext ctx;
    ctx.kernel_name = "gemm";
    ctx.spec_hash = "abc123";
    ctx.problem = "K=512,M=512,N=512";
    ctx.device_id = "host:test-cpu:gcc-12";
    ctx.device_name = "Test CPU";
    ctx.backend = "host";
    return ctx;
  }

  static Result make_result(const Space& space, Config config, double median_ms,
                            Status status = Status::Ok) {
    Result r;
    r.key = space.key(config);
    r.config = std::move(config);
    r.status = status;
    r.median_ms = median_ms;
    r.times_ms = {median_ms * 0.99, median_ms, median_ms * 1.02};
    r.compile_ms = 120.5;
    r.started_at = 1700000000.25;
    r.finished_at = 1700000001.5;
    if (status != Status::Ok) {
      r.error_class = "boom";
      r.message = "failed on purpose";
    }
    return r;
  }

  static Config config_of(std::int64_t bm, std::int64_t bn, const char* mode) {
    return Config({Value(bm), Value(bn), Value(mode)});
  }

  // Every config of the test space, as a stream of distinct keys for the write tests.
  static std::vector<Config> all_configs() {
    std::vector<Config> configs;
    for (std::int64_t bm : {16, 32, 64, 128})
      for (std::int64_t bn : {16, 32, 64, 128})
        for (const char* mode : {"fast", "safe"}) configs.push_back(config_of(bm, bn, mode));
    return configs;
  }

  std::int64_t count_rows(const char* table) const {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string sql = std::string("SELECT count(*) FROM ") + table;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    std::int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  void exec_raw(const std::string& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  fs::path dir_;
};

static_assert(!std::is_copy_constructible_v<Store>);
static_assert(!std::is_copy_assignable_v<Store>);
static_assert(std::is_nothrow_move_constructible_v<Store>);
static_assert(std::is_nothrow_move_assignable_v<Store>);

TEST_F(StoreTest, CreatesFoldersAndFileThenReopenFindsEverything) {
  Space space = make_space();
  StoreContext ctx = make_context();
  fs::path nested = dir_ / "a" / "b" / "results.db";
  {
    Store store(nested);
    EXPECT_EQ(store.path(), nested);
    store.put_result(0, ctx, make_result(space, config_of(64, 64, "fast"), 1.5));
    store.put_result(0, ctx, make_result(space, config_of(32, 64, "safe"), 0.5));
  }
  ASSERT_TRUE(fs::exists(nested));
  Store reopened(nested);
  std::vector<Result> results = reopened.results(ctx, space);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].key, space.key(config_of(32, 64, "safe")));
  EXPECT_EQ(results[0].config, config_of(32, 64, "safe"));
  EXPECT_TRUE(results[0].reused);
  EXPECT_EQ(results[1].config, config_of(64, 64, "fast"));
}

TEST_F(StoreTest, SchemaVersionIsTheNewestKnownAndTheJournalIsWal) {
  Store store(db_path());
  EXPECT_EQ(store.schema_version(), store::schema_version_known());
  EXPECT_GE(store.schema_version(), 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(StoreTest, ReopeningDoesNotMigrateAgain) {
  { Store store(db_path()); }
  Store again(db_path());
  EXPECT_EQ(again.schema_version(), store::schema_version_known());
  EXPECT_EQ(count_rows("results"), 0);
}

TEST_F(StoreTest, PutResultReplacesTheRowForTheSameKey) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store store(db_path());
  Config c = config_of(64, 128, "fast");
  store.put_result(0, ctx, make_result(space, c, 3.0));
  Result second = make_result(space, c, 1.25, Status::WrongResult);
  second.message = "max error 0.5";
  store.put_result(0, ctx, second);
  std::vector<Result> results = store.results(ctx, space);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, Status::WrongResult);
  EXPECT_DOUBLE_EQ(results[0].median_ms, 1.25);
  EXPECT_EQ(results[0].message, "max error 0.5");
  EXPECT_EQ(count_rows("results"), 1);
  EXPECT_EQ(count_rows("kernels"), 1);
  EXPECT_EQ(count_rows("problems"), 1);
  EXPECT_EQ(count_rows("devices"), 1);
}

TEST_F(StoreTest, ResultsComeOkFastestFirstThenFailures) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store store(db_path());
  store.put_result(0, ctx,
                   make_result(space, config_of(16, 16, "fast"), 0.0, Status::CompileError));
  store.put_result(0, ctx, make_result(space, config_of(32, 16, "fast"), 4.0));
  store.put_result(0, ctx, make_result(space, config_of(64, 16, "fast"), 0.7, Status::Timeout));
  store.put_result(0, ctx, make_result(space, config_of(128, 16, "fast"), 0.9));
  store.put_result(0, ctx, make_result(space, config_of(16, 32, "safe"), 2.5));
  std::vector<Result> results = store.results(ctx, space);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_DOUBLE_EQ(results[0].median_ms, 0.9);
  EXPECT_DOUBLE_EQ(results[1].median_ms, 2.5);
  EXPECT_DOUBLE_EQ(results[2].median_ms, 4.0);
  EXPECT_TRUE(results[0].ok() && results[1].ok() && results[2].ok());
  EXPECT_FALSE(results[3].ok());
  EXPECT_FALSE(results[4].ok());
  // A failed config with a small time must not rank above any working one.
  std::set<Status> failures = {results[3].status, results[4].status};
  EXPECT_EQ(failures, (std::set<Status>{Status::CompileError, Status::Timeout}));
}

TEST_F(StoreTest, FindReturnsTheStoredResultOrNothing) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store store(db_path());
  Config c = config_of(128, 32, "safe");
  store.put_result(0, ctx, make_result(space, c, 0.75));
  std::optional<Result> found = store.find(ctx, space, space.key(c));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->config, c);
  EXPECT_DOUBLE_EQ(found->median_ms, 0.75);
  EXPECT_FALSE(store.find(ctx, space, space.key(config_of(16, 16, "safe"))).has_value());
  EXPECT_FALSE(store.find(ctx, space, "no such key").has_value());
}

TEST_F(StoreTest, ContextsKeepTheirResultsApart) {
  Space space = make_space();
  StoreContext base = make_context();
  StoreContext other_device = base;
  other_device.device_id = "cuda:H100:driver-550";
  other_device.device_name = "NVIDIA H100";
  other_device.backend = "cuda";
  StoreContext other_problem = base;
  other_problem.problem = "K=1024,M=1024,N=1024";
  StoreContext other_spec = base;
  other_spec.spec_hash = "def456";
  Store store(db_path());
  Config c = config_of(32, 32, "fast");
  store.put_result(0, base, make_result(space, c, 1.0));
  store.put_result(0, other_device, make_result(space, c, 2.0));
  store.put_result(0, other_problem, make_result(space, c, 3.0));
  store.put_result(0, other_spec, make_result(space, c, 4.0));
  store.put_result(0, other_spec, make_result(space, config_of(16, 16, "safe"), 5.0));

  ASSERT_EQ(store.results(base, space).size(), 1u);
  EXPECT_DOUBLE_EQ(store.results(base, space)[0].median_ms, 1.0);
  ASSERT_EQ(store.results(other_device, space).size(), 1u);
  EXPECT_DOUBLE_EQ(store.results(other_device, space)[0].median_ms, 2.0);
  ASSERT_EQ(store.results(other_problem, space).size(), 1u);
  EXPECT_DOUBLE_EQ(store.results(other_problem, space)[0].median_ms, 3.0);
  EXPECT_EQ(store.results(other_spec, space).size(), 2u);
  EXPECT_DOUBLE_EQ(store.find(other_device, space, space.key(c))->median_ms, 2.0);

  std::vector<StoreContext> contexts = store.contexts("gemm");
  ASSERT_EQ(contexts.size(), 4u);
  bool saw_cuda = false;
  for (const StoreContext& ctx : contexts) {
    EXPECT_EQ(ctx.kernel_name, "gemm");
    if (ctx.device_id == other_device.device_id) {
      saw_cuda = true;
      EXPECT_EQ(ctx.device_name, "NVIDIA H100");
      EXPECT_EQ(ctx.backend, "cuda");
    }
  }
  EXPECT_TRUE(saw_cuda);
  EXPECT_TRUE(store.contexts("conv").empty());
}

TEST_F(StoreTest, ResultsWhoseKeyNoLongerParsesAreSkipped) {
  StoreContext ctx = make_context();
  Space old_space = make_space();
  Store store(db_path());
  store.put_result(0, ctx, make_result(old_space, config_of(128, 16, "fast"), 1.0));
  store.put_result(0, ctx, make_result(old_space, config_of(16, 16, "fast"), 2.0));
  // BM=128 was dropped from the space since: that row no longer describes a valid config.
  Space new_space(
      {Parameter::list("BM", {16, 32, 64}, 32), Parameter::list("BN", {16, 32, 64, 128}, 64),
       Parameter::list("MODE", {"fast", "safe"}, "fast")},
      {});
  std::vector<Result> results = store.results(ctx, new_space);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].config, config_of(16, 16, "fast"));
  EXPECT_FALSE(store.find(ctx, new_space, old_space.key(config_of(128, 16, "fast"))).has_value());
}

TEST_F(StoreTest, RunsBeginAndEndAndAnUnfinishedRunStaysVisible) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store store(db_path());
  std::int64_t finished = store.begin_run(ctx, "random", R"({"budget":50})");
  store.put_result(finished, ctx, make_result(space, config_of(32, 32, "fast"), 1.0));
  store.end_run(finished, "completed");
  std::int64_t killed = store.begin_run(ctx, "llm", "{}");
  EXPECT_NE(finished, killed);

  Store reader(db_path());
  std::vector<RunRecord> runs = reader.runs(ctx);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, finished);
  EXPECT_EQ(runs[0].kernel_name, "gemm");
  EXPECT_EQ(runs[0].strategy, "random");
  EXPECT_EQ(runs[0].options_json, R"({"budget":50})");
  EXPECT_EQ(runs[0].outcome, "completed");
  EXPECT_GT(runs[0].started_at, 1.6e9);
  EXPECT_GE(runs[0].finished_at, runs[0].started_at);
  EXPECT_EQ(runs[1].id, killed);
  EXPECT_EQ(runs[1].outcome, "running");
  EXPECT_EQ(runs[1].finished_at, 0);

  StoreContext elsewhere = ctx;
  elsewhere.problem = "K=1,M=1,N=1";
  EXPECT_TRUE(reader.runs(elsewhere).empty());
}

TEST_F(StoreTest, LlmExchangesRoundTripPerRun) {
  StoreContext ctx = make_context();
  Store store(db_path());
  std::int64_t run = store.begin_run(ctx, "llm", "{}");
  LlmExchange first;
  first.run_id = run;
  first.provider = "anthropic";
  first.model = "claude-test";
  first.prompt_json = R"({"messages":[{"role":"user","content":"tune \"gemm\"\n"}]})";
  first.response_text = "```json\n[{\"BM\": 64}]\n```";
  first.input_tokens = 1234;
  first.output_tokens = 56;
  first.latency_s = 3.25;
  first.created_at = 1700000000.5;
  LlmExchange failed = first;
  failed.response_text = "";
  failed.error = "HTTP 429: rate limited";
  failed.created_at = 0;  // stamped by the store
  LlmExchange outside;
  outside.provider = "replay";
  outside.model = "m";
  outside.prompt_json = "{}";
  outside.response_text = "[]";
  store.put_llm_exchange(first);
  store.put_llm_exchange(failed);
  store.put_llm_exchange(outside);

  std::vector<LlmExchange> got = store.llm_exchanges(run);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].run_id, run);
  EXPECT_EQ(got[0].provider, first.provider);
  EXPECT_EQ(got[0].model, first.model);
  EXPECT_EQ(got[0].prompt_json, first.prompt_json);
  EXPECT_EQ(got[0].response_text, first.response_text);
  EXPECT_EQ(got[0].input_tokens, 1234);
  EXPECT_EQ(got[0].output_tokens, 56);
  EXPECT_DOUBLE_EQ(got[0].latency_s, 3.25);
  EXPECT_EQ(got[0].error, "");
  EXPECT_DOUBLE_EQ(got[0].created_at, 1700000000.5);
  EXPECT_EQ(got[1].error, "HTTP 429: rate limited");
  EXPECT_GT(got[1].created_at, 1.6e9);

  std::vector<LlmExchange> loose = store.llm_exchanges(0);
  ASSERT_EQ(loose.size(), 1u);
  EXPECT_EQ(loose[0].provider, "replay");
  EXPECT_EQ(loose[0].run_id, 0);
  EXPECT_TRUE(store.llm_exchanges(run + 100).empty());
}

TEST_F(StoreTest, EveryResultFieldRoundTrips) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store store(db_path());
  Result r;
  r.config = config_of(64, 16, "safe");
  r.key = space.key(r.config);
  r.status = Status::RuntimeError;
  r.error_class = "SIGSEGV";
  r.message = "he said \"no\"\nsecond line\t'quoted' \\ backslash — ünïcødé ✓ 核";
  r.compile_ms = 812.125;
  r.times_ms = {0.1234567890123, 1e-9, 12345.678, std::nan("")};
  r.median_ms = 0.333;
  r.max_abs_error = 1.5e-7;
  r.resources = {{"registers", 64}, {"shared_bytes", 49152}, {"occupancy", 0.625}};
  r.device = "r2@node7/cuda:1";
  r.started_at = 1712345678.123456;
  r.finished_at = 1712345679.654321;
  store.put_result(0, ctx, r);

  std::optional<Result> back = store.find(ctx, space, r.key);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->config, r.config);
  EXPECT_EQ(back->key, r.key);
  EXPECT_EQ(back->status, r.status);
  EXPECT_EQ(back->error_class, r.error_class);
  EXPECT_EQ(back->message, r.message);
  EXPECT_DOUBLE_EQ(back->compile_ms, r.compile_ms);
  ASSERT_EQ(back->times_ms.size(), r.times_ms.size());
  for (std::size_t i = 0; i + 1 < r.times_ms.size(); ++i)
    EXPECT_DOUBLE_EQ(back->times_ms[i], r.times_ms[i]) << i;
  EXPECT_TRUE(std::isnan(back->times_ms.back()));
  EXPECT_DOUBLE_EQ(back->median_ms, r.median_ms);
  EXPECT_DOUBLE_EQ(back->max_abs_error, r.max_abs_error);
  EXPECT_EQ(back->resources, r.resources);
  EXPECT_EQ(back->device, r.device);
  EXPECT_DOUBLE_EQ(back->started_at, r.started_at);
  EXPECT_DOUBLE_EQ(back->finished_at, r.finished_at);
  EXPECT_TRUE(back->reused);

  // The other statuses survive too.
  for (Status s :
       {Status::Ok, Status::Invalid, Status::CompileError, Status::Timeout, Status::WrongResult}) {
    r.status = s;
    store.put_result(0, ctx, r);
    EXPECT_EQ(store.find(ctx, space, r.key)->status, s) << status_name(s);
  }
}

TEST_F(StoreTest, ConfigIsStoredAsJsonForPeopleAndOtherTools) {
  Space space = make_space();
  StoreContext ctx = make_context();
  {
    Store store(db_path());
    store.put_result(0, ctx, make_result(space, config_of(64, 16, "safe"), 1.0));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT config_json, status FROM results", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), R"([64,16,"safe"])");
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)), "ok");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(StoreTest, AFailedPutLeavesTheStoreUsable) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store store(db_path());
  // A run id that does not exist breaks the foreign key: the put fails and rolls back whole.
  EXPECT_THROW(store.put_result(424242, ctx, make_result(space, config_of(16, 16, "fast"), 1.0)),
               UserError);
  EXPECT_EQ(count_rows("results"), 0);
  store.put_result(0, ctx, make_result(space, config_of(16, 16, "fast"), 1.0));
  EXPECT_EQ(store.results(ctx, space).size(), 1u);
}

TEST_F(StoreTest, AFileThatIsNotADatabaseIsAUserErrorNamingIt) {
  {
    std::ofstream out(db_path());
    for (int i = 0; i < 200; ++i) out << "this is a text file, not a database\n";
  }
  try {
    Store store(db_path());
    FAIL() << "opened a text file as a database";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(db_path().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--db"), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, AnotherProgramsSqliteFileIsAUserError) {
  exec_raw("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');");
  try {
    Store store(db_path());
    FAIL() << "took over a foreign database";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(db_path().string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(count_rows("contacts"), 1);
}

TEST_F(StoreTest, ANewerSchemaIsAUserErrorAskingToUpgrade) {
  { Store store(db_path()); }
  exec_raw("PRAGMA user_version = " + std::to_string(store::schema_version_known() + 1));
  try {
    Store store(db_path());
    FAIL() << "opened a database from the future";
  } catch (const UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(db_path().string()), std::string::npos) << what;
    EXPECT_NE(what.find("pgrade"), std::string::npos) << what;
    EXPECT_NE(what.find("--db"), std::string::npos) << what;
  }
}

TEST_F(StoreTest, AnUnwritableLocationIsAUserError) {
  fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "x";
  // A regular file where the database's folder should be.
  EXPECT_THROW(Store(blocker / "tuna.db"), UserError);
  // A folder where the database file should be.
  fs::create_directories(dir_ / "folder.db");
  EXPECT_THROW(Store(dir_ / "folder.db"), UserError);
}

TEST_F(StoreTest, MovedStoreKeepsWorking) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store first(db_path());
  Store moved(std::move(first));
  moved.put_result(0, ctx, make_result(space, config_of(16, 64, "fast"), 1.0));
  Store assigned(dir_ / "other.db");
  assigned = std::move(moved);
  assigned.put_result(0, ctx, make_result(space, config_of(32, 64, "fast"), 2.0));
  EXPECT_EQ(assigned.path(), db_path());
  EXPECT_EQ(assigned.results(ctx, space).size(), 2u);
}

TEST_F(StoreTest, DefaultPathHonoursTunaDbThenXdgCacheThenHome) {
  auto saved = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  std::optional<std::string> tuna_db = saved("TUNA_DB"), xdg = saved("XDG_CACHE_HOME"),
                             home = saved("HOME");
  setenv("TUNA_DB", "/somewhere/my.db", 1);
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(Store::default_path(), fs::path("/somewhere/my.db"));
  unsetenv("TUNA_DB");
  EXPECT_EQ(Store::default_path(), fs::path("/xdg/tuna/tuna.db"));
  setenv("XDG_CACHE_HOME", "", 1);  // empty counts as unset
  EXPECT_EQ(Store::default_path(), fs::path("/home/someone/.cache/tuna/tuna.db"));
  unsetenv("XDG_CACHE_HOME");
  unsetenv("HOME");
  EXPECT_THROW(Store::default_path(), UserError);
  auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v)
      setenv(name, v->c_str(), 1);
    else
      unsetenv(name);
  };
  restore("TUNA_DB", tuna_db);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", home);
}

TEST_F(StoreTest, TwoStoresOnOneFileWritingInterleavedLoseNothing) {
  Space space = make_space();
  StoreContext ctx = make_context();
  Store a(db_path());
  Store b(db_path());
  std::vector<Config> configs = all_configs();
  for (std::size_t i = 0; i < configs.size(); ++i) {
    Store& writer = i % 2 == 0 ? a : b;
    Store& reader = i % 2 == 0 ? b : a;
    writer.put_result(0, ctx, make_result(space, configs[i], 1.0 + static_cast<double>(i)));
    // Visible to the other connection as soon as put_result returns.
    EXPECT_TRUE(reader.find(ctx, space, space.key(configs[i])).has_value()) << i;
  }
  EXPECT_EQ(a.results(ctx, space).size(), configs.size());
  EXPECT_EQ(b.results(ctx, space).size(), configs.size());
}

// Runs `body` in a forked child that reports success through its exit status. The child leaves
// with _exit so it never runs the parent's destructors or GoogleTest's exit handlers.
template <typename Body>
pid_t fork_child(Body body) {
  pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    try {
      body();
    } catch (...) {
      code = 3;
    }
    _exit(code);
  }
  return pid;
}

TEST_F(StoreTest, ChildAndParentProcessesWritingAtOnceLoseNothing) {
  Space space = make_space();
  StoreContext parent_ctx = make_context();
  StoreContext child_ctx = parent_ctx;
  child_ctx.device_id = "host:child";
  std::vector<Config> configs = all_configs();
  constexpr int kRounds = 5;
  // Both sides open the fresh file at the same moment, racing to create the schema too.
  pid_t child = fork_child([&] {
    Store store(db_path());
    std::int64_t run = store.begin_run(child_ctx, "child", "{}");
    for (int round = 0; round < kRounds; ++round)
      for (std::size_t i = 0; i < configs.size(); ++i)
        store.put_result(run, child_ctx, make_result(space, configs[i], 100.0 * round + i));
    store.end_run(run, "completed");
  });
  ASSERT_GT(child, 0);
  {
    Store store(db_path());
    std::int64_t run = store.begin_run(parent_ctx, "parent", "{}");
    for (int round = 0; round < kRounds; ++round)
      for (std::size_t i = 0; i < configs.size(); ++i)
        store.put_result(run, parent_ctx, make_result(space, configs[i], 10.0 * round + i));
    store.end_run(run, "completed");
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  Store check(db_path());
  std::vector<Result> parent_results = check.results(parent_ctx, space);
  std::vector<Result> child_results = check.results(child_ctx, space);
  ASSERT_EQ(parent_results.size(), configs.size());
  ASSERT_EQ(child_results.size(), configs.size());
  // Each side's last round is what remains.
  for (std::size_t i = 0; i < configs.size(); ++i) {
    EXPECT_DOUBLE_EQ(check.find(parent_ctx, space, space.key(configs[i]))->median_ms,
                     10.0 * (kRounds - 1) + i);
    EXPECT_DOUBLE_EQ(check.find(child_ctx, space, space.key(configs[i]))->median_ms,
                     100.0 * (kRounds - 1) + i);
  }
  ASSERT_EQ(check.runs(child_ctx).size(), 1u);
  EXPECT_EQ(check.runs(child_ctx)[0].outcome, "completed");
}

TEST_F(StoreTest, SigkillDuringAStreamOfPutsLosesNothingAlreadyPut) {
  Space space = make_space();
  StoreContext ctx = make_context();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  // Many problems so that the stream outlasts the parent's patience: the kill comes mid-stream.
  pid_t child = fork_child([&] {
    close(fds[0]);
    Store store(db_path());
    std::int64_t run = store.begin_run(ctx, "doomed", "{}");
    std::vector<Config> configs = all_configs();
    for (int n = 0; n < 100000; ++n) {
      StoreContext c = ctx;
      c.problem = "N=" + std::to_string(n / static_cast<int>(configs.size()));
      const Config& config = configs[static_cast<std::size_t>(n) % configs.size()];
      store.put_result(run, c, make_result(space, config, 1.0 + n));
      // One short write per line: atomic on a pipe, so the parent never sees half a report.
      std::string line = c.problem + " " + space.key(config) + "\n";
      if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
    }
  });
  ASSERT_GT(child, 0);
  close(fds[1]);

  std::string received;
  char buffer[4096];
  auto lines = [&] { return std::count(received.begin(), received.end(), '\n'); };
  while (lines() < 300) {
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    ASSERT_GT(n, 0) << "child stopped before being killed";
    received.append(buffer, static_cast<std::size_t>(n));
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  // Whatever the child reported before it died counts too.
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
    received.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  Store store(db_path());
  std::size_t checked = 0;
  std::size_t start = 0;
  for (std::size_t end; (end = received.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = received.substr(start, end - start);
    std::size_t space_at = line.find(' ');
    StoreContext c = ctx;
    c.problem = line.substr(0, space_at);
    std::string key = line.substr(space_at + 1);
    EXPECT_TRUE(store.find(c, space, key).has_value()) << line;
    ++checked;
  }
  EXPECT_GE(checked, 300u);
  // The killed run began in `ctx` and nothing marked it finished.
  std::vector<RunRecord> runs = store.runs(ctx);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, "running");
  EXPECT_EQ(runs[0].finished_at, 0);
}

}  // namespace
}  // namespace tuna
