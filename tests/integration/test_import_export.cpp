// `tuna import` and `tuna export --format kt-cache|t4` through the real binary: import a Kernel
// Tuner cache, export it, re-import the export, and get the same configs, statuses and times;
// then replay the recording with `tuna tune` on the sim backend.
#include <gtest/gtest.h>

#include <map>

#include <regex>

#include "cli_runner.hpp"
#include "store/import_recording.hpp"

namespace tuna {
namespace {

using testing::source_path;
using testing::TunaSandbox;

std::map<std::string, const store::RecordedEntry*> by_key(const store::Recording& rec,
                                                          const Space& space) {
  std::map<std::string, const store::RecordedEntry*> out;
  for (const auto& e : rec.entries) out[space.key(Config(e.values))] = &e;
  return out;
}

TEST(ImportExport, KernelTunerCacheRoundTrips) {
  TunaSandbox box("import-export");
  const std::string original = source_path("tests/data/kt_small.json");
  auto imported = box.run({"import", original});
  ASSERT_TRUE(imported.ok()) << imported.output;
  EXPECT_NE(imported.output.find("6 configurations of small_kernel on Test GPU 9000"),
            std::string::npos)
      << imported.output;
  EXPECT_NE(imported.output.find("3 ok"), std::string::npos) << imported.output;

  const std::string exported = (box.dir() / "exported.json").string();
  auto out =
      box.run({"export", "--kernel", "small_kernel", "--format", "kt-cache", "-o", exported});
  ASSERT_TRUE(out.ok()) << out.output;

  store::Recording a = store::read_recording(original);
  store::Recording b = store::read_recording(exported);
  EXPECT_EQ(b.device_name, a.device_name);
  EXPECT_EQ(b.problem, a.problem);
  Space sa = store::recording_space(a), sb = store::recording_space(b);
  auto ka = by_key(a, sa), kb = by_key(b, sb);
  ASSERT_EQ(ka.size(), kb.size());
  for (const auto& [key, e] : ka) {
    ASSERT_TRUE(kb.count(key)) << key;
    const auto* f = kb[key];
    EXPECT_EQ(f->status, e->status) << key;
    EXPECT_EQ(f->error_class, e->error_class) << key;
    EXPECT_EQ(f->times_ms, e->times_ms) << key;
    EXPECT_DOUBLE_EQ(f->compile_ms, e->compile_ms) << key;
    EXPECT_DOUBLE_EQ(f->benchmark_ms, e->benchmark_ms) << key;
    EXPECT_DOUBLE_EQ(store::recorded_result(sb, *f).median_ms,
                     store::recorded_result(sa, *e).median_ms)
        << key;
  }

  // Re-importing the export lands in the same context: the same six results, not twelve.
  auto again = box.run({"import", exported});
  ASSERT_TRUE(again.ok()) << again.output;
  const std::string t4 = (box.dir() / "exported_t4.json").string();
  auto t4_out = box.run({"export", "--kernel", "small_kernel", "--format", "t4", "-o", t4});
  ASSERT_TRUE(t4_out.ok()) << t4_out.output;
  store::Recording c = store::read_recording(t4);
  EXPECT_EQ(c.entries.size(), 6u);
}

TEST(ImportExport, TuneReplaysARecordingOnTheSimBackend) {
  TunaSandbox box("sim-tune");
  const std::string spec = (box.dir() / "sim.toml").string();
  auto imported = box.run({"import", source_path("tests/data/kt_small.json"), "--t1",
                           source_path("tests/data/t1_small.json"), "--write-spec", spec});
  ASSERT_TRUE(imported.ok()) << imported.output;
  auto tuned = box.run({"tune", spec, "--strategy", "exhaustive", "-n", "10"});
  ASSERT_TRUE(tuned.ok()) << tuned.output;
  // The fastest recorded config (0.5 ms) wins.
  EXPECT_NE(tuned.output.find("bx=2,mode=b"), std::string::npos) << tuned.output;
}

TEST(ImportExport, ATimeBudgetOnTheSimBackendIsChargedTheRecordedCosts) {
  // The recording's configs cost 100-300 ms of compile and 8-11 ms of benchmark each. Replays
  // take microseconds, so a budget of 0.25 s of wall time would see them all; charged the
  // recorded costs, the run stops after two or three.
  TunaSandbox box("sim-time");
  const std::string spec = (box.dir() / "sim.toml").string();
  ASSERT_TRUE(box.run({"import", source_path("tests/data/kt_small.json"), "--write-spec", spec})
                  .ok());
  auto whole = box.run({"tune", spec, "--strategy", "exhaustive", "-n", "0", "--fresh"});
  ASSERT_TRUE(whole.ok()) << whole.output;
  EXPECT_NE(whole.output.find("configs: 6 (6 measured"), std::string::npos) << whole.output;
  EXPECT_NE(whole.output.find("s simulated"), std::string::npos) << whole.output;

  // One config per batch, no lookahead: the budget is checked between batches, so the count
  // does not depend on how many compile jobs this machine has.
  auto timed = box.run({"tune", spec, "--strategy", "exhaustive", "-n", "0", "--time", "0.25",
                        "--fresh", "--batch", "1", "--sync-batches"});
  ASSERT_TRUE(timed.ok()) << timed.output;
  EXPECT_NE(timed.output.find("time budget reached (0.25 s)"), std::string::npos) << timed.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(timed.output, m, std::regex("configs: (\\d+) \\(")))
      << timed.output;
  EXPECT_GE(std::stoi(m[1]), 2) << timed.output;
  EXPECT_LE(std::stoi(m[1]), 3) << timed.output;
}

TEST(ImportExport, ErrorsNameTheFile) {
  TunaSandbox box("import-errors");
  auto missing = box.run({"import", (box.dir() / "nothing.json").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("nothing.json"), std::string::npos) << missing.output;
  auto t1 = box.run({"import", source_path("tests/data/t1_small.json")});
  EXPECT_EQ(t1.exit_code, 2);
  EXPECT_NE(t1.output.find("T1"), std::string::npos) << t1.output;
}

}  // namespace
}  // namespace tuna
