// The console's formatting: durations, the estimate of the time left, the live progress line
// and the per-config details of -vv.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "report/console.hpp"

using namespace tuna;
using namespace tuna::report;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Result ok_result(double median_ms) {
  Result r;
  r.key = "BM=64,BN=32";
  r.median_ms = median_ms;
  r.times_ms = {median_ms, median_ms * 1.1, median_ms * 0.9};
  r.compile_ms = 250;
  r.resources = {{"registers", 64}};
  return r;
}

}  // namespace

TEST(Console, DurationsReadNaturally) {
  EXPECT_EQ(format_duration(4.24), "4.2 s");
  EXPECT_EQ(format_duration(185), "3 min 05 s");
  EXPECT_EQ(format_duration(3720), "1 h 02 min");
  EXPECT_EQ(format_duration(-1), "0.0 s");
}

TEST(Console, TimeLeftComesFromTheMeanTimePerConfigAndTheBudget) {
  // 10 of 100 configs in 20 s: 2 s each, 90 left.
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(10, 20, 100, 0), 180);
  // A time budget caps the estimate...
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(10, 20, 100, 60), 40);
  // ...and alone gives what is left of it.
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(10, 20, 0, 60), 40);
  // Nothing to go on: no estimate.
  EXPECT_FALSE(estimate_remaining_s(10, 20, 0, 0));
  EXPECT_FALSE(estimate_remaining_s(0, 0, 100, 0));
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(100, 20, 100, 0), 0);
}

TEST(Console, TheProgressLineShowsDoneAndPlannedBestFailuresAndTimes) {
  Result best = ok_result(1.5);
  Result failed;
  failed.key = "BM=128,BN=32";
  failed.status = Status::CompileError;
  failed.error_class = "compiler";
  failed.message = "too many registers";
  TuneProgress p;
  p.considered = 10;
  p.counts = {{Status::Ok, 7}, {Status::CompileError, 2}, {Status::Timeout, 1}};
  p.best = &best;
  p.elapsed_s = 20;
  std::string line = progress_line(failed, p, 100, 0);
  EXPECT_TRUE(contains(line, "[10/100]")) << line;
  EXPECT_TRUE(contains(line, "best 1.5 ms")) << line;
  EXPECT_TRUE(contains(line, "3 failed")) << line;
  EXPECT_TRUE(contains(line, "20.0 s")) << line;
  EXPECT_TRUE(contains(line, "~3 min 00 s left")) << line;
  EXPECT_TRUE(contains(line, "compile_error")) << line;
  EXPECT_LE(progress_line(failed, p, 100, 0, 40).size(), 40u);

  std::string plain = result_line(failed, p, 100, 0);
  EXPECT_TRUE(contains(plain, "[10/100] BM=128,BN=32 compile_error")) << plain;
  EXPECT_TRUE(contains(plain, "best 1.5 ms")) << plain;
}

TEST(Console, WithoutABudgetTheLineCountsOnlyAndEstimatesNothing) {
  TuneProgress p;
  p.considered = 3;
  p.elapsed_s = 1;
  std::string line = progress_line(ok_result(2), p, 0, 0);
  EXPECT_TRUE(contains(line, "[3]")) << line;
  EXPECT_TRUE(contains(line, "best -")) << line;
  EXPECT_FALSE(contains(line, "left")) << line;
}

TEST(Console, DetailsGiveCompileTimeRepetitionsResourcesAndErrors) {
  std::vector<std::string> ok = result_details(ok_result(1));
  std::string all;
  for (const auto& l : ok) all += l + "\n";
  EXPECT_TRUE(contains(all, "compile: 250 ms")) << all;
  EXPECT_TRUE(contains(all, "3 repetitions")) << all;
  EXPECT_TRUE(contains(all, "registers=64")) << all;

  Result bad;
  bad.status = Status::RuntimeError;
  bad.error_class = "SIGSEGV";
  bad.message = "worker died: segmentation fault";
  all.clear();
  for (const auto& l : result_details(bad)) all += l + "\n";
  EXPECT_TRUE(contains(all, "runtime_error (SIGSEGV)")) << all;
  EXPECT_TRUE(contains(all, "segmentation fault")) << all;
  EXPECT_TRUE(contains(all, "compile: cached")) << all;
}

TEST(Console, TheVeryVerboseLineNamesTheDeviceWhenTheResultHasOne) {
  TuneProgress p;
  p.considered = 2;
  p.elapsed_s = 1;
  Result r = ok_result(1.5);
  r.device = "r2@node7/cuda:1";
  std::string with = result_line(r, p, 10, 0, true);
  EXPECT_TRUE(contains(with, "BM=64,BN=32 1.5 ms | r2@node7/cuda:1 | best")) << with;
  // Below -vv, and for results that name no device, the line stays as it was.
  std::string without = result_line(r, p, 10, 0, false);
  EXPECT_FALSE(contains(without, "cuda")) << without;
  r.device.clear();
  EXPECT_EQ(result_line(r, p, 10, 0, true), result_line(r, p, 10, 0, false));
}

TEST(Console, VeryVerboseProgressPrintsTheDeviceAndPlainVerboseDoesNot) {
  Result r = ok_result(1.5);
  r.device = "cuda:1";
  TuneProgress p;
  p.considered = 1;
  for (int verbosity : {1, 2}) {
    char* text = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&text, &size);
    ASSERT_NE(out, nullptr);
    {
      ConsoleProgress progress({false, verbosity, false, out});
      progress.on_result(r, p);
    }
    std::fclose(out);
    std::string printed(text, size);
    std::free(text);
    EXPECT_EQ(contains(printed, "| cuda:1 |"), verbosity == 2) << verbosity << ": " << printed;
  }
}

TEST(Console, TheDeviceIdleShareIsTheWallTimeWithNoConfigInABenchWorker) {
  TuneSummary s;
  s.elapsed_s = 10;
  s.evaluator_stats.run_s = 7;
  s.evaluator_stats.busy_s_on = {{"cuda:0", 7}};
  EXPECT_NEAR(device_idle_share(s), 0.3, 1e-12);
  // Two devices: averaged over them (7 + 5 busy seconds of 2 x 10).
  s.evaluator_stats.run_s = 12;
  s.evaluator_stats.busy_s_on = {{"cuda:0", 7}, {"cuda:1", 5}};
  EXPECT_NEAR(device_idle_share(s), 0.4, 1e-12);
  // Nothing ran: idle throughout.
  s.evaluator_stats = {};
  EXPECT_DOUBLE_EQ(device_idle_share(s), 1.0);

  s.elapsed_s = 10;
  s.progress.measured = 20;
  s.device.backend = "host";
  s.evaluator_stats.run_s = 7;
  s.evaluator_stats.busy_s_on = {{"cpu", 7}};
  s.evaluator_stats.evaluate_wall_s = 10;
  char* text = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  print_summary(out, s, Space({Parameter::list("X", {1, 2}, 1)}, {}));
  std::fclose(out);
  std::string printed(text, size);
  std::free(text);
  EXPECT_TRUE(contains(printed, "in the bench worker 7.0 s (device idle 30%)")) << printed;

  // Preparing the worker (inputs, reference) is part of the idle time, and said so.
  s.evaluator_stats.worker_phase_s = {{"start", 0.4},  {"arguments", 0.25},
                                      {"reference_run", 0.05}, {"reference_kept", 0.1},
                                      {"timed_runs", 6.0}, {"restore", 0.1}};
  out = open_memstream(&text, &size);
  print_summary(out, s, Space({Parameter::list("X", {1, 2}, 1)}, {}));
  std::fclose(out);
  printed.assign(text, size);
  std::free(text);
  EXPECT_TRUE(contains(printed,
                       "in the bench worker 7.0 s (device idle 30%, 0.4 s of it preparing the "
                       "inputs and the reference)"))
      << printed;
}
