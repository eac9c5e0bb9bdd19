// tuna::Lookup: matching (exact id, device name, problem), the defaults as the fallback, reading
// an export and a store, and concurrent reads of one Lookup.
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "report/export.hpp"
#include "tuna/errors.hpp"
#include "tuna/lookup.hpp"
#include "tuna/store.hpp"

using namespace tuna;
namespace fs = std::filesystem;

namespace {

const char* kExport = R"({
  "schema_version": 1, "kernel": "gemm",
  "defaults": {"BM": 16, "VEC": 8, "PACK": false, "LAYOUT": "row"},
  "entries": [
    {"device": "GPU A", "device_id": "GPU A | driver 1", "problem": "M=512", "config": {"BM": 64, "VEC": 16, "PACK": true, "LAYOUT": "col"}, "measured_at": 100},
    {"device": "GPU A", "device_id": "GPU A | driver 2", "problem": "M=512", "config": {"BM": 128, "VEC": 16, "PACK": true, "LAYOUT": "col"}, "measured_at": 200},
    {"device": "GPU A", "device_id": "GPU A | driver 1", "problem": "M=1024", "config": {"BM": 32}, "measured_at": 150},
    {"device": "GPU B", "device_id": "GPU B | driver 1", "problem": "M=512", "config": {"BM": 256, "VEC": 4, "PACK": false, "LAYOUT": "row"}, "measured_at": 50}
  ]
})";

using tuna::testing::TempDir;

Result ok_result(const Space& space, Config config, double median_ms, double finished_at) {
  Result r;
  r.key = space.key(config);
  r.config = std::move(config);
  r.median_ms = median_ms;
  r.times_ms = {median_ms, median_ms};
  r.finished_at = finished_at;
  return r;
}

Space gemm_space() {
  return Space({Parameter::pow2_range("BM", 16, 256, 16), Parameter::boolean("PACK", false),
                Parameter::list("LAYOUT", {Value("row"), Value("col")}, Value("row"))},
               {});
}

}  // namespace

TEST(Lookup, AnExactDeviceIdWinsOverANameMatch) {
  Lookup table = Lookup::from_json_text(kExport, "test");
  LookupResult r = table.find("gemm", "M=512", "GPU A | driver 1");
  EXPECT_EQ(r.match, LookupMatch::Exact);
  EXPECT_EQ(r.values.at("BM"), Value(64));
  EXPECT_EQ(r.values.at("PACK"), Value(true));
  EXPECT_EQ(r.values.at("LAYOUT"), Value("col"));
}

TEST(Lookup, SameDeviceNameWithOtherVersionsTakesTheMostRecent) {
  Lookup table = Lookup::from_json_text(kExport, "test");
  LookupResult by_id = table.find("gemm", "M=512", "GPU A | driver 3");
  EXPECT_EQ(by_id.match, LookupMatch::DeviceName);
  EXPECT_EQ(by_id.values.at("BM"), Value(128));  // driver 2 was measured last
  LookupResult by_name = table.find("gemm", "M=512", "GPU A");
  EXPECT_EQ(by_name.match, LookupMatch::DeviceName);
  ASSERT_NE(by_name.entry, nullptr);
  EXPECT_EQ(by_name.entry->device_id, "GPU A | driver 2");
}

TEST(Lookup, AnotherProblemOrDeviceFallsBackToTheDefaults) {
  Lookup table = Lookup::from_json_text(kExport, "test");
  LookupResult other_problem = table.find("gemm", "M=2048", "GPU A | driver 1");
  EXPECT_EQ(other_problem.match, LookupMatch::Default);
  EXPECT_EQ(other_problem.entry, nullptr);
  EXPECT_EQ(other_problem.values.at("BM"), Value(16));  // the export's own defaults
  EXPECT_EQ(other_problem.values.at("LAYOUT"), Value("row"));

  TunedValues mine = {{"BM", Value(8)}, {"VEC", Value(1)}};
  LookupResult other_device = table.find("gemm", "M=512", "GPU C", mine);
  EXPECT_EQ(other_device.match, LookupMatch::Default);
  EXPECT_EQ(other_device.values, mine);

  LookupResult other_kernel = table.find("conv", "M=512", "GPU A");
  EXPECT_EQ(other_kernel.match, LookupMatch::Default);
  EXPECT_TRUE(other_kernel.values.empty());
}

TEST(Lookup, AnEntryWithFewerValuesIsCompletedFromTheDefaults) {
  Lookup table = Lookup::from_json_text(kExport, "test");
  LookupResult r = table.find("gemm", "M=1024", "GPU A | driver 1");
  EXPECT_EQ(r.match, LookupMatch::Exact);
  EXPECT_EQ(r.values.at("BM"), Value(32));
  EXPECT_EQ(r.values.at("VEC"), Value(8));
  EXPECT_EQ(r.values.at("PACK"), Value(false));
}

TEST(Lookup, MalformedExportsAreUserErrorsNamingTheField) {
  EXPECT_THROW(Lookup::from_json_text("[1, 2]", "x.json"), UserError);
  try {
    Lookup::from_json_text(R"({"kernel": "k", "entries": [{"device": "d", "problem": "p"}]})",
                           "x.json");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("x.json: entries[0]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("device_id"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Lookup::from_json_file("/nonexistent/tuned.json"), UserError);
}

TEST(Lookup, ReadsTheBestCorrectResultOfEachContextFromAStore) {
  TempDir dir;
  fs::path db = dir.path() / "tuna.db";
  Space space = gemm_space();
  {
    Store store(db);
    StoreContext a{"gemm", "hash1", "M=512", "GPU A | driver 1", "GPU A", "cuda"};
    StoreContext b{"gemm", "hash1", "M=1024", "GPU A | driver 1", "GPU A", "cuda"};
    store.put_result(0, a,
                     ok_result(space, Config({Value(64), Value(true), Value("col")}), 2.0, 10));
    store.put_result(0, a,
                     ok_result(space, Config({Value(32), Value(false), Value("row")}), 1.0, 11));
    Result failed = ok_result(space, Config({Value(16), Value(false), Value("row")}), 0.1, 12);
    failed.status = Status::WrongResult;  // fastest, but wrong: never chosen
    store.put_result(0, a, failed);
    store.put_result(0, b,
                     ok_result(space, Config({Value(128), Value(true), Value("row")}), 5.0, 13));
  }
  Lookup table = Lookup::from_store(db);
  EXPECT_EQ(table.entries().size(), 2u);
  LookupResult r = table.find("gemm", "M=512", "GPU A | driver 1");
  ASSERT_EQ(r.match, LookupMatch::Exact);
  EXPECT_EQ(r.values.at("BM"), Value(32));
  EXPECT_EQ(r.values.at("PACK"), Value(false));  // typed, not the text "false"
  EXPECT_EQ(r.values.at("LAYOUT"), Value("row"));
  EXPECT_DOUBLE_EQ(r.entry->median_ms, 1.0);
  EXPECT_EQ(table.find("gemm", "M=1024", "GPU A").values.at("BM"), Value(128));

  // The one-call form tells a store from a JSON file by its first bytes.
  TunedValues values = lookup(db, "gemm", "M=512", "GPU A");
  EXPECT_EQ(values.at("BM"), Value(32));
  EXPECT_THROW(Lookup::from_store(dir.path() / "missing.db"), UserError);
  EXPECT_FALSE(fs::exists(dir.path() / "missing.db"));  // never created by a lookup
}

TEST(Lookup, AStoreIsReadWithoutBeingWritten) {
  TempDir dir;
  fs::path db = dir.path() / "tuna.db";
  Space space = gemm_space();
  {
    Store store(db);
    StoreContext a{"gemm", "hash1", "M=512", "GPU A | driver 1", "GPU A", "cuda"};
    store.put_result(0, a,
                     ok_result(space, Config({Value(64), Value(true), Value("col")}), 2.0, 10));
  }
  const auto size = fs::file_size(db);
  const auto written = fs::last_write_time(db);
  // Read-only for its owner too: a lookup opens the store read-only, so it still reads it.
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  Lookup table = Lookup::from_store(db);
  ASSERT_EQ(table.entries().size(), 1u);
  EXPECT_EQ(table.entries()[0].values.at("BM"), Value(64));
  EXPECT_EQ(fs::file_size(db), size);
  EXPECT_EQ(fs::last_write_time(db), written);
  fs::permissions(db, fs::perms::owner_write, fs::perm_options::add);

  // A file that is not a tuna store is refused, and left as it was.
  fs::path other = dir.path() / "other.db";
  std::ofstream(other) << "";
  EXPECT_THROW(Lookup::from_store(other), UserError);
  EXPECT_EQ(fs::file_size(other), 0u);
}

TEST(Lookup, AnExportReadsBackThroughLookup) {
  Space space = gemm_space();
  Result best = ok_result(space, Config({Value(64), Value(true), Value("col")}), 1.5, 42);
  report::ExportEntry entry{{"gemm", "h", "M=512", "GPU A | v1", "GPU A", "cuda"}, best, 7};
  report::ExportInput in{"gemm", "h", space, "M=512", {entry}, 0, "2025-01-01T00:00:00Z"};
  Lookup table = Lookup::from_json_text(report::export_json(in), "export");
  LookupResult r = table.find("gemm", "M=512", "GPU A | v1");
  ASSERT_EQ(r.match, LookupMatch::Exact);
  EXPECT_EQ(r.values.at("BM"), Value(64));
  EXPECT_EQ(r.values.at("LAYOUT"), Value("col"));
  EXPECT_DOUBLE_EQ(r.entry->measured_at, 42);
  // The export carries the spec's defaults for the fallback.
  EXPECT_EQ(table.find("gemm", "M=4096", "GPU A").values.at("BM"), Value(16));
}

TEST(Lookup, OneLookupServesManyThreadsAtOnce) {
  const Lookup table = Lookup::from_json_text(kExport, "test");
  std::vector<std::thread> threads;
  std::vector<int> wrong(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        bool b = (i + t) % 2 == 0;
        LookupResult r = table.find("gemm", "M=512", b ? "GPU B | driver 1" : "GPU A | driver 1");
        if (r.values.at("BM") != Value(b ? 256 : 64)) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

TEST(Lookup, ProblemKeyMatchesTheStoredForm) {
  EXPECT_EQ(problem_key({{"N", Value(256)}, {"M", Value(512)}, {"K", Value(128)}}),
            "K=128,M=512,N=256");
}
