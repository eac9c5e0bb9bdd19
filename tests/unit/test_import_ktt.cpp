// KTT output: microseconds to milliseconds, statuses, overheads as costs.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/import_recording.hpp"

namespace tuna::store {
namespace {

namespace fs = std::filesystem;

TEST(ImportKtt, ConvertsMicrosecondsAndStatuses) {
  Recording rec = read_recording(fs::path(TUNA_SOURCE_DIR) / "tests/data/ktt_small.json");
  EXPECT_EQ(rec.format, "ktt");
  EXPECT_EQ(rec.device_name, "Test GPU 7");
  EXPECT_EQ(rec.kernel_name, "k");
  ASSERT_EQ(rec.param_names, (std::vector<std::string>{"TILE", "UNROLL"}));
  ASSERT_EQ(rec.entries.size(), 3u);
  EXPECT_EQ(rec.entries[0].status, Status::Ok);
  EXPECT_DOUBLE_EQ(rec.entries[0].time_ms, 1.5);
  EXPECT_DOUBLE_EQ(rec.entries[0].compile_ms, 20.0);
  EXPECT_DOUBLE_EQ(rec.entries[1].time_ms, 1.0);  // two launches, summed
  EXPECT_DOUBLE_EQ(rec.entries[1].compile_ms, 26.0);
  EXPECT_EQ(rec.entries[2].status, Status::RuntimeError);
  EXPECT_EQ(rec.entries[2].error_class, "ComputationFailed");
  EXPECT_DOUBLE_EQ(rec.entries[2].compile_ms, 30.0);  // 31005 - 1000 - 5 µs
  Space space = recording_space(rec);
  EXPECT_EQ(space.size().count, 3);
}

TEST(ImportKtt, RealCoulombSpace) {
  fs::path file =
      fs::path(TUNA_SOURCE_DIR) /
      "../shared/datasets/KTT__Examples__CoulombSum3d__coulomb_2080_full_search_space.json.gz";
  if (!fs::exists(file)) GTEST_SKIP() << "datasets not present";
  Recording rec = read_recording(file);
  EXPECT_EQ(rec.entries.size(), 210u);
  EXPECT_EQ(recording_space(rec).size().count, 210);
  for (const auto& e : rec.entries) EXPECT_GT(e.time_ms, 0.0);
}

}  // namespace
}  // namespace tuna::store
