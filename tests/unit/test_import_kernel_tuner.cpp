// Kernel Tuner caches: keys, statuses, times, costs, gzip, the Space they span, and the real
// datasets of ../shared/datasets when they are there.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/import_recording.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {
namespace {

namespace fs = std::filesystem;

fs::path data(const char* name) { return fs::path(TUNA_SOURCE_DIR) / "tests/data" / name; }
fs::path dataset(const char* name) {
  return fs::path(TUNA_SOURCE_DIR) / "../shared/datasets" / name;
}

const RecordedEntry& entry(const Recording& rec, int bx, const char* mode) {
  for (const auto& e : rec.entries)
    if (e.values[0] == Value(bx) && e.values[1] == Value(mode)) return e;
  throw std::runtime_error("no such entry");
}

TEST(ImportKernelTuner, ReadsStatusesTimesAndCosts) {
  Recording rec = read_recording(data("kt_small.json"));
  EXPECT_EQ(rec.format, "kernel_tuner");
  EXPECT_EQ(rec.device_name, "Test GPU 9000");
  EXPECT_EQ(rec.kernel_name, "small_kernel");
  EXPECT_EQ(rec.problem, "1024,512");
  ASSERT_EQ(rec.param_names, (std::vector<std::string>{"bx", "mode"}));
  ASSERT_EQ(rec.entries.size(), 6u);
  const auto& ok = entry(rec, 1, "a");
  EXPECT_EQ(ok.status, Status::Ok);
  EXPECT_TRUE(ok.values[0].is_int());
  EXPECT_TRUE(ok.values[1].is_string());
  EXPECT_EQ(ok.times_ms, (std::vector<double>{2.5, 1.5, 2.0, 2.0}));
  EXPECT_DOUBLE_EQ(ok.compile_ms, 100.0);
  EXPECT_DOUBLE_EQ(ok.benchmark_ms, 10.0);
  EXPECT_DOUBLE_EQ(ok.verification_ms, 1.0);
  EXPECT_DOUBLE_EQ(ok.framework_ms, 0.5);
  EXPECT_EQ(entry(rec, 4, "a").status, Status::CompileError);
  EXPECT_EQ(entry(rec, 4, "a").error_class, "CompilationFailedConfig");
  EXPECT_DOUBLE_EQ(entry(rec, 4, "a").compile_ms, 300.0);
  EXPECT_EQ(entry(rec, 1, "b").status, Status::RuntimeError);
  EXPECT_EQ(entry(rec, 4, "b").status, Status::Invalid);
}

TEST(ImportKernelTuner, GzippedFileReadsTheSame) {
  Recording plain = read_recording(data("kt_small.json"));
  Recording gz = read_recording(data("kt_small.json.gz"));
  ASSERT_EQ(gz.entries.size(), plain.entries.size());
  for (std::size_t i = 0; i < gz.entries.size(); ++i) {
    EXPECT_EQ(gz.entries[i].values, plain.entries[i].values);
    EXPECT_EQ(gz.entries[i].times_ms, plain.entries[i].times_ms);
  }
}

TEST(ImportKernelTuner, SpaceIsRestrictedToTheRecordedValidConfigs) {
  Recording rec = read_recording(data("kt_small.json"));
  Space space = recording_space(rec);
  EXPECT_EQ(space.grid_size(), 6);
  EXPECT_EQ(space.size().count, 5);  // every entry but the InvalidConfig one
  EXPECT_TRUE(space.is_valid(Config({Value(4), Value("a")})));   // failed, but recorded
  EXPECT_FALSE(space.is_valid(Config({Value(4), Value("b")})));  // recorded as invalid
  EXPECT_TRUE(space.is_valid(space.default_config()));
}

TEST(ImportKernelTuner, ResultUsesTheMedianOfTheRepetitions) {
  Recording rec = read_recording(data("kt_small.json"));
  Space space = recording_space(rec);
  Result r = recorded_result(space, entry(rec, 1, "a"));
  EXPECT_EQ(r.key, "bx=1,mode=a");
  EXPECT_DOUBLE_EQ(r.median_ms, 2.0);
  EXPECT_DOUBLE_EQ(r.resources.at("benchmark_ms"), 10.0);
  Result failed = recorded_result(space, entry(rec, 1, "b"));
  EXPECT_EQ(failed.status, Status::RuntimeError);
  EXPECT_EQ(failed.error_class, "RuntimeFailedConfig");
}

TEST(ImportKernelTuner, MissingFileAndForeignJsonAreUserErrors) {
  EXPECT_THROW(read_recording(data("no_such_file.json")), UserError);
  EXPECT_THROW(read_recording(data("t1_small.json")), UserError);  // a T1 file, not a recording
}

TEST(ImportKernelTuner, RealGemmSpaceMatchesTheDatasetReadme) {
  fs::path file =
      dataset("benchmark_hub__currently_unused__KernelTuner_data__gemm__RTX_3090.json.gz");
  if (!fs::exists(file)) GTEST_SKIP() << "datasets not present: " << file;
  Recording rec = read_recording(file);
  EXPECT_EQ(rec.entries.size(), 17956u);
  Space space = recording_space(rec);
  EXPECT_EQ(space.grid_size(), 82944);
  EXPECT_EQ(space.size().count, 17956);
}

TEST(ImportKernelTuner, RealConvolutionSpaceCountsValidAndFailed) {
  fs::path file = dataset("benchmark_hub__convolution_milo__A100.json.gz");
  if (!fs::exists(file)) GTEST_SKIP() << "datasets not present: " << file;
  Recording rec = read_recording(file);
  ASSERT_EQ(rec.entries.size(), 4362u);
  std::size_t ok = 0;
  for (const auto& e : rec.entries) ok += e.status == Status::Ok;
  EXPECT_EQ(ok, 4201u);
  EXPECT_EQ(recording_space(rec).size().count, 4362);
}

}  // namespace
}  // namespace tuna::store
