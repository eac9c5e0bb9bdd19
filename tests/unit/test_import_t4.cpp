// T4 results: invalidity classes to statuses, runtimes, phase times; the real T4 file agrees
// with the Kernel Tuner cache it was converted from.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/import_recording.hpp"

namespace tuna::store {
namespace {

namespace fs = std::filesystem;

TEST(ImportT4, MapsInvalidityAndTimes) {
  Recording rec = read_recording(fs::path(TUNA_SOURCE_DIR) / "tests/data/t4_small.json");
  EXPECT_EQ(rec.format, "t4");
  ASSERT_EQ(rec.param_names, (std::vector<std::string>{"bx", "scale"}));
  ASSERT_EQ(rec.entries.size(), 5u);
  EXPECT_EQ(rec.entries[0].status, Status::Ok);
  EXPECT_TRUE(rec.entries[0].values[1].is_float());
  EXPECT_EQ(rec.entries[0].times_ms, (std::vector<double>{3.0, 1.0, 2.0}));
  EXPECT_DOUBLE_EQ(rec.entries[0].compile_ms, 10.0);
  EXPECT_DOUBLE_EQ(rec.entries[0].verification_ms, 2.0);
  EXPECT_EQ(rec.entries[1].status, Status::CompileError);
  EXPECT_EQ(rec.entries[2].status, Status::RuntimeError);
  EXPECT_EQ(rec.entries[3].status, Status::WrongResult);
  EXPECT_EQ(rec.entries[4].status, Status::Invalid);
  Space space = recording_space(rec);
  EXPECT_EQ(space.size().count, 4);  // the "constraints" entry violates a restriction
  EXPECT_DOUBLE_EQ(recorded_result(space, rec.entries[0]).median_ms, 2.0);
}

TEST(ImportT4, RealT4FileAgreesWithItsKernelTunerCache) {
  fs::path dir = fs::path(TUNA_SOURCE_DIR) / "../shared/datasets";
  fs::path t4 = dir / "benchmark_hub__convolution_milo__A100_T4.json.gz";
  fs::path kt = dir / "benchmark_hub__convolution_milo__A100.json.gz";
  if (!fs::exists(t4) || !fs::exists(kt)) GTEST_SKIP() << "datasets not present";
  Recording a = read_recording(t4);
  Recording b = read_recording(kt);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  Space sa = recording_space(a), sb = recording_space(b);
  std::map<std::string, const RecordedEntry*> by_key;
  for (const auto& e : b.entries) by_key[sb.key(Config(e.values))] = &e;
  std::size_t ok = 0;
  for (const auto& e : a.entries) {
    auto it = by_key.find(sa.key(Config(e.values)));
    ASSERT_NE(it, by_key.end());
    EXPECT_EQ(e.status, it->second->status);
    EXPECT_EQ(e.times_ms, it->second->times_ms);
    ok += e.status == Status::Ok;
  }
  EXPECT_EQ(ok, 4201u);
}

}  // namespace
}  // namespace tuna::store
