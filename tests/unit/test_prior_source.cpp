// Where priors come from (store/prior_source.hpp): recordings and tuna stores mapped onto this
// run's Space by parameter name, and the store's other contexts of the same kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/prior_source.hpp"
#include "store/recorded_space.hpp"
#include "store/sqlite_handle.hpp"
#include "support/temp_dir.hpp"
#include "tuna/errors.hpp"
#include "tuna/store.hpp"

using namespace tuna;
using tuna::testing::TempDir;
using Json = nlohmann::ordered_json;

namespace {

// BX in {1, 2, 4, 8}, MODE in {a, b}; BX 8 only with MODE a.
Space small_space() {
  return Space({Parameter::list("BX", {1, 2, 4, 8}, 2), Parameter::list("MODE", {"a", "b"}, "a")},
               {Constraint{Expr::parse("BX < 8 || MODE == \"a\""), "test"}});
}

// One cache entry of a Kernel Tuner cache: its parameter values and its time in ms, or a
// failure class ("CompilationFailedConfig").
struct KtEntry {
  Json values;  // {"BX": 1, "MODE": "a"}
  Json time;
};

std::filesystem::path write_kt_cache(const std::filesystem::path& dir, const std::string& name,
                                     const std::string& device,
                                     const std::vector<std::string>& names,
                                     const std::vector<KtEntry>& entries) {
  Json doc = {{"device_name", device},
              {"kernel_name", "small"},
              {"problem_size", {64}},
              {"tune_params_keys", names},
              {"objective", "time"}};
  Json params = Json::object();
  for (const std::string& n : names) params[n] = Json::array();
  Json cache = Json::object();
  for (const KtEntry& e : entries) {
    std::string key;
    Json entry = e.values;
    for (const std::string& n : names) {
      const Json& v = e.values.at(n);
      key += (key.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
      if (std::find(params[n].begin(), params[n].end(), v) == params[n].end())
        params[n].push_back(v);
    }
    entry["time"] = e.time;
    if (e.time.is_number()) entry["times"] = {e.time, e.time};
    entry["compile_time"] = 1.0;
    entry["benchmark_time"] = 1.0;
    entry["verification_time"] = 0;
    entry["framework_time"] = 0;
    entry["strategy_time"] = 0;
    cache[key] = entry;
  }
  doc["tune_params"] = params;
  doc["cache"] = cache;
  std::filesystem::path file = dir / name;
  std::ofstream(file) << doc.dump(1);
  return file;
}

std::string thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

StoreContext context(const std::string& device, const std::string& problem = "N=64",
                     const std::string& spec_hash = "h1", const std::string& kernel = "small") {
  return {kernel, spec_hash, problem, "host:" + device, device, "host"};
}

Result ok_result(const Space& space, const Config& config, double ms) {
  Result r;
  r.config = config;
  r.key = space.key(config);
  r.median_ms = ms;
  r.times_ms = {ms};
  return r;
}

// Stores `n` ok results of the valid configs of `space` in order (time 1 + index), and one
// failure.
void put_results(Store& store, const StoreContext& ctx, const Space& space, std::size_t n) {
  std::size_t i = 0;
  space.enumerate([&](const Config& c) {
    if (i == n) {
      Result failed = ok_result(space, c, 0);
      failed.status = Status::CompileError;
      store.put_result(0, ctx, failed);
      return false;
    }
    store.put_result(0, ctx, ok_result(space, c, 1.0 + static_cast<double>(i++)));
    return true;
  });
}

}  // namespace

TEST(PriorFromFile, MapsParametersByNameInAnyOrder) {
  TempDir dir;
  // The file lists MODE before BX; the space declares BX first.
  auto file = write_kt_cache(dir.path(), "gpu_a.json", "GPU A", {"MODE", "BX"},
                             {{{{"MODE", "a"}, {"BX", 4}}, 0.5},
                              {{{"MODE", "b"}, {"BX", 1}}, 2.0},
                              {{{"MODE", "a"}, {"BX", 1}}, 1.0}});
  Space space = small_space();
  Prior prior = store::prior_from_file(file, space);
  ASSERT_EQ(prior.size(), 3u);
  EXPECT_EQ(prior.ranked()[0].key, "BX=4,MODE=a");
  EXPECT_DOUBLE_EQ(prior.ranked()[0].time_ms, 0.5);
  EXPECT_EQ(prior.ranked()[0].config, space.parse_key("BX=4,MODE=a"));
  EXPECT_EQ(prior.ranked()[2].key, "BX=1,MODE=b");
  EXPECT_EQ(prior.label(), "gpu_a.json (GPU A, problem 64, 3 configs)");
}

TEST(PriorFromFile, DropsFailuresAndConfigsNotValidInTheSpace) {
  TempDir dir;
  auto file = write_kt_cache(dir.path(), "mixed.json", "GPU A", {"BX", "MODE"},
                             {{{{"BX", 1}, {"MODE", "a"}}, 1.0},
                              {{{"BX", 2}, {"MODE", "a"}}, "CompilationFailedConfig"},
                              {{{"BX", 2}, {"MODE", "b"}}, "RuntimeFailedConfig"},
                              {{{"BX", 8}, {"MODE", "b"}}, 0.1},   // violates the constraint
                              {{{"BX", 16}, {"MODE", "a"}}, 0.2},  // not a value of BX
                              {{{"BX", 4}, {"MODE", "c"}}, 0.3},   // not a value of MODE
                              {{{"BX", 8}, {"MODE", "a"}}, 3.0}});
  Prior prior = store::prior_from_file(file, small_space());
  ASSERT_EQ(prior.size(), 2u);
  EXPECT_EQ(prior.ranked()[0].key, "BX=1,MODE=a");
  EXPECT_EQ(prior.ranked()[1].key, "BX=8,MODE=a");
  EXPECT_EQ(prior.find("BX=2,MODE=a"), nullptr);
}

TEST(PriorFromFile, AParameterTheSpaceLacksKeepsTheFastestConfig) {
  TempDir dir;
  auto file = write_kt_cache(dir.path(), "unroll.json", "GPU A", {"BX", "MODE", "UNROLL"},
                             {{{{"BX", 1}, {"MODE", "a"}, {"UNROLL", 1}}, 3.0},
                              {{{"BX", 1}, {"MODE", "a"}, {"UNROLL", 2}}, 1.5},
                              {{{"BX", 1}, {"MODE", "a"}, {"UNROLL", 4}}, 2.0},
                              {{{"BX", 2}, {"MODE", "a"}, {"UNROLL", 1}}, 1.0}});
  Prior prior = store::prior_from_file(file, small_space());
  ASSERT_EQ(prior.size(), 2u);
  ASSERT_NE(prior.find("BX=1,MODE=a"), nullptr);
  EXPECT_DOUBLE_EQ(prior.find("BX=1,MODE=a")->time_ms, 1.5);
  EXPECT_TRUE(contains(prior.label(), "2 configs; fastest over UNROLL")) << prior.label();
}

TEST(PriorFromFile, AParameterTheFileLacksIsTakenAsItsDefault) {
  TempDir dir;
  auto file = write_kt_cache(dir.path(), "old.json", "GPU A", {"BX"},
                             {{{{"BX", 1}}, 2.0}, {{{"BX", 8}}, 1.0}});
  Space space(
      {Parameter::list("BX", {1, 2, 4, 8}, 2), Parameter::list("VEC", {1, 2, 4}, 2, "added since")},
      {});
  Prior prior = store::prior_from_file(file, space);
  ASSERT_EQ(prior.size(), 2u);
  EXPECT_EQ(prior.ranked()[0].key, "BX=8,VEC=2");
  EXPECT_TRUE(contains(prior.label(), "VEC taken as its default")) << prior.label();
}

TEST(PriorFromFile, ValuesMatchAcrossIntFloatAndString) {
  TempDir dir;
  // BX written as a float and as a string; MODE (strings "1", "2" in the space) as numbers.
  auto file = write_kt_cache(dir.path(), "kinds.json", "GPU A", {"BX", "MODE"},
                             {{{{"BX", 2.0}, {"MODE", 1}}, 1.0},
                              {{{"BX", "4"}, {"MODE", 2}}, 2.0},
                              {{{"BX", 2.5}, {"MODE", 1}}, 0.5}});  // 2.5 is no value of BX
  Space space({Parameter::list("BX", {1, 2, 4}, 2), Parameter::list("MODE", {"1", "2"}, "1")}, {});
  Prior prior = store::prior_from_file(file, space);
  ASSERT_EQ(prior.size(), 2u);
  EXPECT_EQ(prior.ranked()[0].key, "BX=2,MODE=1");
  EXPECT_EQ(prior.ranked()[1].key, "BX=4,MODE=2");
  // The space's own values, so the config compares equal to the space's.
  EXPECT_TRUE(prior.ranked()[1].config[0].is_int());
  EXPECT_TRUE(prior.ranked()[1].config[1].is_string());
}

TEST(PriorFromFile, ReadsGzippedRecordings) {
  const std::string file = std::string(TUNA_SOURCE_DIR) + "/tests/data/kt_small.json.gz";
  Space space({Parameter::list("bx", {1, 2, 4}, 1), Parameter::list("mode", {"a", "b"}, "a")}, {});
  Prior prior = store::prior_from_file(file, space);
  ASSERT_EQ(prior.size(), 3u);  // three configs ran correctly
  EXPECT_EQ(prior.ranked()[0].key, "bx=2,mode=b");
  EXPECT_TRUE(contains(prior.label(), "kt_small.json.gz (Test GPU 9000")) << prior.label();
}

TEST(PriorFromFile, ErrorsNameTheFileAndSayWhatToCheck) {
  TempDir dir;
  Space space = small_space();
  const auto missing = dir.path() / "nope.json";
  std::string e = thrown([&] { store::prior_from_file(missing, space); });
  EXPECT_TRUE(contains(e, missing.string()) && contains(e, "no such file")) << e;

  auto other = write_kt_cache(dir.path(), "other.json", "GPU A", {"TILE"}, {{{{"TILE", 1}}, 1.0}});
  e = thrown([&] { store::prior_from_file(other, space); });
  EXPECT_TRUE(contains(e, "other.json") && contains(e, "no parameter in common") &&
              contains(e, "TILE") && contains(e, "BX, MODE"))
      << e;

  auto outside = write_kt_cache(dir.path(), "outside.json", "GPU A", {"BX", "MODE"},
                                {{{{"BX", 16}, {"MODE", "a"}}, 1.0}});
  e = thrown([&] { store::prior_from_file(outside, space); });
  EXPECT_TRUE(contains(e, "outside.json") && contains(e, "none of its 1 successful")) << e;

  auto failed = write_kt_cache(dir.path(), "failed.json", "GPU A", {"BX", "MODE"},
                               {{{{"BX", 1}, {"MODE", "a"}}, "RuntimeFailedConfig"}});
  e = thrown([&] { store::prior_from_file(failed, space); });
  EXPECT_TRUE(contains(e, "failed.json") && contains(e, "ran correctly")) << e;

  const auto garbage = dir.path() / "garbage.json";
  std::ofstream(garbage) << "{\"hello\": 1}";
  e = thrown([&] { store::prior_from_file(garbage, space); });
  EXPECT_TRUE(contains(e, "garbage.json") && contains(e, "not a recording")) << e;
}

TEST(PriorFromFile, AStoreGivesItsLargestMatchingContext) {
  TempDir dir;
  Space space = small_space();
  Space unrelated({Parameter::list("TILE", {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1)}, {});
  const auto db = dir.path() / "other.db";
  {
    Store store(db);
    put_results(store, context("GPU A"), space, 4);
    put_results(store, context("GPU B"), space, 6);
    put_results(store, context("GPU C", "N=64", "h1", "tiles"), unrelated, 9);
  }
  Prior prior = store::prior_from_file(db, space);
  EXPECT_EQ(prior.size(), 6u);
  EXPECT_TRUE(contains(prior.label(), "other.db: small on GPU B, problem N=64 (6 configs"))
      << prior.label();
  EXPECT_TRUE(contains(prior.label(), "the largest of 2 matching contexts")) << prior.label();

  Space none({Parameter::list("WIDTH", {1, 2}, 1)}, {});
  std::string e = thrown([&] { store::prior_from_file(db, none); });
  EXPECT_TRUE(contains(e, "other.db") && contains(e, "WIDTH") && contains(e, "tiles on GPU C") &&
              contains(e, "parameters TILE"))
      << e;
}

TEST(PriorsFromStore, OtherDevicesProblemsAndSpecVersionsLargestFirst) {
  TempDir dir;
  Space space = small_space();
  Store store(dir.path() / "tuna.db");
  const StoreContext current = context("GPU A");
  put_results(store, current, space, 7);                                // this run's own
  put_results(store, context("GPU B"), space, 5);                       // another device
  put_results(store, context("GPU A", "N=128"), space, 6);              // another problem
  put_results(store, context("GPU C"), space, 3);                       // too few
  put_results(store, context("GPU A", "N=64", "h0"), space, 7);         // an earlier spec
  put_results(store, context("GPU B", "N=64", "h1", "big"), space, 7);  // another kernel
  std::vector<Prior> priors = store::priors_from_store(store, current, space);
  ASSERT_EQ(priors.size(), 3u);
  EXPECT_EQ(priors[0].size(), 7u);
  EXPECT_EQ(priors[0].label(),
            "store: GPU A (host), problem N=64, earlier spec version (7 configs)");
  EXPECT_EQ(priors[1].label(), "store: GPU A (host), problem N=128 (6 configs)");
  EXPECT_EQ(priors[2].label(), "store: GPU B (host), problem N=64 (5 configs)");
  EXPECT_EQ(priors[2].ranked()[0].time_ms, 1.0);

  // At most three, and min_results decides who is in.
  EXPECT_EQ(store::priors_from_store(store, current, space, 3).size(), 3u);
  EXPECT_EQ(store::priors_from_store(store, current, space, 7).size(), 1u);
  EXPECT_TRUE(
      store::priors_from_store(store, context("GPU A", "N=1", "h1", "none"), space).empty());
}

TEST(PriorsFromStore, AStoredSpaceWithAnotherParameterStillCounts) {
  TempDir dir;
  Space space = small_space();
  Space earlier({Parameter::list("BX", {1, 2, 4, 8}, 2), Parameter::list("MODE", {"a", "b"}, "a"),
                 Parameter::list("OLD", {0, 1}, 0)},
                {});
  Store store(dir.path() / "tuna.db");
  put_results(store, context("GPU B", "N=64", "h0"), earlier, 16);
  std::vector<Prior> priors = store::priors_from_store(store, context("GPU A"), space);
  ASSERT_EQ(priors.size(), 1u);
  // 16 configs of the earlier space are 8 of this one (OLD dropped), 7 valid here.
  EXPECT_EQ(priors[0].size(), 7u);
  EXPECT_TRUE(contains(priors[0].label(), "fastest over OLD")) << priors[0].label();
}

TEST(PriorsFromStore, AReplayLeavesOutTheRecordingItReplays) {
  TempDir dir;
  Space space = small_space();
  Store store(dir.path() / "tuna.db");
  StoreContext imported{"small", "rec", "64", "recorded:GPU A", "GPU A", "sim"};
  StoreContext other{"small", "rec", "64", "recorded:GPU B", "GPU B", "sim"};
  StoreContext replay{"small", "spec", "", "sim:GPU A", "GPU A", "sim"};
  put_results(store, imported, space, 7);
  put_results(store, other, space, 6);
  std::vector<Prior> priors = store::priors_from_store(store, replay, space);
  ASSERT_EQ(priors.size(), 1u);
  EXPECT_TRUE(contains(priors[0].label(), "store: GPU B (sim)")) << priors[0].label();
}

TEST(RestrictPrior, KeepsTheConfigsValidInTheRunsSpace) {
  Space loose({Parameter::list("BX", {1, 2, 4, 8}, 2), Parameter::list("MODE", {"a", "b"}, "a")},
              {});
  std::vector<PriorEntry> entries;
  for (const char* key : {"BX=8,MODE=b", "BX=1,MODE=a", "BX=8,MODE=a"}) {
    Config c = loose.parse_key(key);
    entries.push_back({c, key, static_cast<double>(entries.size())});
  }
  Prior restricted = store::restrict_prior(Prior("p", entries), small_space());
  EXPECT_EQ(restricted.label(), "p");
  ASSERT_EQ(restricted.size(), 2u);
  EXPECT_EQ(restricted.ranked()[0].key, "BX=1,MODE=a");
}

// A file that starts like SQLite but is damaged, and an SQLite database of another program: both
// named, in words, with what to pass instead. Before, the message was SQLite's, quoting the
// query tuna had prepared ("preparing `SELECT DISTINCT k.name ...`: file is not a database").
TEST(PriorFromFile, ADamagedOrForeignDatabaseSaysSoInWords) {
  TempDir dir;
  Space space = small_space();
  const auto damaged = dir.path() / "damaged.db";
  {
    std::ofstream out(damaged, std::ios::binary);
    out << std::string("SQLite format 3\0", 16) << std::string(4000, '\x5a');
  }
  const auto foreign = dir.path() / "foreign.db";
  {
    sqlite::Database db(foreign);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
  }
  for (const auto& [file, words] :
       {std::pair{damaged, "is not a tuna store, or is damaged"},
        std::pair{foreign, "is an SQLite database but not a tuna store"}}) {
    for (const std::string& e :
         {thrown([&] { store::prior_from_file(file, space); }),
          thrown([&] { sim::load_recorded_space(file); })}) {
      EXPECT_TRUE(contains(e, file.filename().string()) && contains(e, words) &&
                  contains(e, "pass a tuna store that `tuna tune` wrote"))
          << e;
      EXPECT_FALSE(contains(e, "SELECT")) << e;
    }
  }
}
