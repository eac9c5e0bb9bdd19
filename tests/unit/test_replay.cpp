// replay(): recorded statuses and times, the median or one drawn repetition, costs for time
// budgets, and load_recorded_space on every format.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "store/recorded_space.hpp"

namespace tuna::sim {
namespace {

namespace fs = std::filesystem;

fs::path data(const char* name) { return fs::path(TUNA_SOURCE_DIR) / "tests/data" / name; }

TEST(Replay, MedianStatusAndCosts) {
  RecordedSpace rec = load_recorded_space(data("kt_small.json"));
  EXPECT_EQ(rec.source_format, "kernel_tuner");
  EXPECT_EQ(rec.device_name, "Test GPU 9000");
  EXPECT_EQ(rec.name, "kt_small");
  std::mt19937_64 rng(1);
  Result r = replay(rec, rec.space.parse_key("bx=1,mode=a"), ReplayNoise::Median, rng);
  EXPECT_EQ(r.status, Status::Ok);
  EXPECT_DOUBLE_EQ(r.median_ms, 2.0);
  EXPECT_EQ(r.times_ms.size(), 4u);
  EXPECT_DOUBLE_EQ(r.compile_ms, 100.0);
  EXPECT_DOUBLE_EQ(charged_ms(r), 100.0 + 10.0 + 1.0);
  Result failed = replay(rec, rec.space.parse_key("bx=4,mode=a"), ReplayNoise::Median, rng);
  EXPECT_EQ(failed.status, Status::CompileError);
  EXPECT_DOUBLE_EQ(charged_ms(failed), 300.0);
  Result absent = replay(rec, rec.space.parse_key("bx=4,mode=b"), ReplayNoise::Median, rng);
  EXPECT_EQ(absent.status, Status::Invalid);
  EXPECT_DOUBLE_EQ(charged_ms(absent), 0.0);
  EXPECT_DOUBLE_EQ(rec.optimum_ms(), 0.5);
  EXPECT_EQ(rec.sorted_ok_times(), (std::vector<double>{0.5, 1.0, 2.0}));
}

TEST(Replay, OneRepetitionDrawsRecordedTimesDeterministically) {
  RecordedSpace rec = load_recorded_space(data("kt_small.json"));
  Config c = rec.space.parse_key("bx=2,mode=b");
  std::mt19937_64 a(5), b(5);
  std::set<double> seen;
  for (int i = 0; i < 200; ++i) {
    Result ra = replay(rec, c, ReplayNoise::OneRepetition, a);
    Result rb = replay(rec, c, ReplayNoise::OneRepetition, b);
    EXPECT_EQ(ra.median_ms, rb.median_ms);
    seen.insert(ra.median_ms);
  }
  EXPECT_EQ(seen, (std::set<double>{0.4, 0.5, 0.6, 0.7}));
}

TEST(Replay, LoadsEveryFormatAndUsesT1) {
  EXPECT_EQ(load_recorded_space(data("t4_small.json")).source_format, "t4");
  EXPECT_EQ(load_recorded_space(data("ktt_small.json")).configs.size(), 3u);
  RecordedSpace with_t1 = load_recorded_space(data("kt_small.json"), data("t1_small.json"));
  EXPECT_EQ(with_t1.space.constraints().size(), 3u);
  EXPECT_EQ(with_t1.space.size().count, 5);
}

TEST(Replay, RealDatasetsMatchTheReadme) {
  fs::path dir = fs::path(TUNA_SOURCE_DIR) / "../shared/datasets";
  fs::path conv = dir / "benchmark_hub__convolution_milo__A100.json.gz";
  if (!fs::exists(conv)) GTEST_SKIP() << "datasets not present";
  RecordedSpace rec = load_recorded_space(conv);
  EXPECT_EQ(rec.configs.size(), 4362u);
  EXPECT_EQ(rec.space.size().count, 4362);
  EXPECT_EQ(rec.sorted_ok_times().size(), 4201u);
  fs::path pnpoly =
      dir / "benchmark_hub__currently_unused__KernelTuner_data__pnpoly__RTX_3090.json.gz";
  RecordedSpace p = load_recorded_space(pnpoly);
  EXPECT_EQ(p.configs.size(), 4092u);
  EXPECT_EQ(p.sorted_ok_times().size(), 3774u);
}

}  // namespace
}  // namespace tuna::sim
