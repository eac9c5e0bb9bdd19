// The modelled evaluator of `tuna compare --pipeline` (search/replay_pipeline.hpp): its timing
// arithmetic, and, through it, that every generation-based strategy keeps the device busy when
// it is asked for more while configs are in flight (lookahead), as it does in a tuning run.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "search/compare.hpp"
#include "search/compare_report.hpp"
#include "search/registry.hpp"
#include "search/replay_pipeline.hpp"
#include "search/replay_run.hpp"
#include "store/recording_spec.hpp"
#include "test_strategy_support.hpp"

using namespace tuna;
using namespace tuna::search;

namespace {

constexpr std::size_t kBudget = 60;
// On test::synthetic_recording() (0.4 s to compile, 0.2 s to run), 4 compile jobs deliver 10
// configs a second and the device takes 5: a run whose strategy always has work ready keeps the
// device busy all the time but the first compile.
const PipelineShape kShape{4, 1};

}  // namespace

TEST(SimulatedPipeline, CompileJobsFeedTheDeviceAndStopTakingAtTheirFirstNothing) {
  // Two compile jobs, one device; every config compiles in 1 s and runs in 0.5 s, except the
  // third, whose compile fails and which never reaches the device.
  SimulatedPipeline pipeline({2, 1});
  std::size_t next = 0, asked = 0;
  std::vector<std::size_t> order;
  pipeline.run_batch(
      [&]() -> std::optional<PipelineJob> {
        ++asked;
        if (next == 4) return std::nullopt;
        std::size_t id = next++;
        return PipelineJob{id, 1.0, 0.5, id != 2};
      },
      [&](std::size_t id) { order.push_back(id); });
  // t=1: configs 0 and 1 compiled, 0 runs to 1.5, 1 to 2.0, while 2 and 3 compile to 2.0;
  // at 2.0 config 2 fails (its compile job ends first), then 1 ends and 3 runs to 2.5.
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 2, 1, 3}));
  EXPECT_DOUBLE_EQ(pipeline.times().wall_s, 2.5);
  EXPECT_DOUBLE_EQ(pipeline.times().device_busy_s, 1.5);
  EXPECT_DOUBLE_EQ(pipeline.times().idle_share(1), 0.4);
  EXPECT_EQ(pipeline.times().batches, 1u);
  // Four configs, then each compile job asked once more and stopped.
  EXPECT_EQ(asked, 6u);

  // The next batch starts where this one ended: the device waits for its first compile.
  pipeline.run_batch(
      [&, done = false]() mutable -> std::optional<PipelineJob> {
        if (done) return std::nullopt;
        done = true;
        return PipelineJob{9, 1.0, 0.5, true};
      },
      [&](std::size_t id) { order.push_back(id); });
  EXPECT_EQ(order.back(), 9u);
  EXPECT_DOUBLE_EQ(pipeline.times().wall_s, 4.0);
  EXPECT_EQ(pipeline.times().batches, 2u);
  pipeline.retime(0.5);  // re-timing: on the device, after the batch
  EXPECT_DOUBLE_EQ(pipeline.times().wall_s, 4.5);
  EXPECT_DOUBLE_EQ(pipeline.times().device_busy_s, 2.5);
}

TEST(SimulatedPipeline, GenerationBasedStrategiesNeverLetTheDeviceWaitWithLookahead) {
  const sim::RecordedSpace rec = test::synthetic_recording();
  const ReplaySpace space = prepare_replay_space(rec, sim::spec_from_recorded_space(rec));
  for (const char* name :
       {"pattern", "differential_evolution", "simulated_annealing", "genetic_algorithm"}) {
    SCOPED_TRACE(name);
    for (bool lookahead : {true, false}) {
      SCOPED_TRACE(lookahead ? "lookahead" : "synchronous batches");
      ReplayRunSettings settings;
      settings.max_evals = kBudget;
      settings.batch_size = kShape.capacity();
      settings.pipeline = kShape;
      RunTrace trace = run_search_on_recording(
          space, {rec.name, name, 7},
          [&](const auto&) {
            return make_search({name, 7}, {.default_first = false, .lookahead = lookahead});
          },
          settings);
      ASSERT_TRUE(trace.pipeline.has_value());
      // Configs in flight count against the budget, so it holds exactly.
      EXPECT_EQ(trace.best_ms.size(), kBudget);
      const PipelineTimes& t = *trace.pipeline;
      EXPECT_NEAR(t.device_busy_s, 0.2 * kBudget, 1e-9);
      if (lookahead) {
        // One batch from start to budget: the device never ran dry waiting for the strategy,
        // and was idle only while the very first config compiled.
        EXPECT_EQ(t.batches, 1u);
        EXPECT_NEAR(t.wall_s, 0.4 + 0.2 * kBudget, 1e-9);
        EXPECT_LT(t.idle_share(1), 0.04);
      } else {
        // Every batch of 5 drains the device, which then waits for the next one's compile.
        EXPECT_EQ(t.batches, kBudget / kShape.capacity());
        EXPECT_GT(t.idle_share(1), 0.25);
      }
    }
  }
}

TEST(Compare, APipelineAddsTheIdleShareAndTheBatchesToTheReport) {
  CompareOptions o;
  o.strategies = {"differential_evolution", "random"};
  o.budgets = {20, kBudget};
  o.targets = {0.95};
  o.runs = 2;
  o.threads = 2;
  o.pipeline = kShape;
  o.batch_size = kShape.capacity();
  CompareReport report = run_compare({test::synthetic_recording()}, o);
  ASSERT_EQ(report.average.size(), 3u);
  for (std::size_t i = 0; i < 2; ++i) {
    const StrategyStats& st = report.average[i];
    SCOPED_TRACE(st.strategy);
    ASSERT_TRUE(st.idle_share && st.batches);
    EXPECT_LT(*st.idle_share, 0.04);
    EXPECT_DOUBLE_EQ(*st.batches, 1.0);
  }
  EXPECT_FALSE(report.average[2].idle_share);  // random search's exact expectation: no run
  EXPECT_NE(format_compare_table(report).find("lookahead on"), std::string::npos);
  EXPECT_NE(compare_csv(report).find(",device_idle_share,batches\n"), std::string::npos);

  o.lookahead = false;
  CompareReport sync = run_compare({test::synthetic_recording()}, o);
  EXPECT_GT(*sync.average[0].idle_share, 0.25);
  EXPECT_DOUBLE_EQ(*sync.average[0].batches, 12.0);
}
