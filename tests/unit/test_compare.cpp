// `tuna compare`'s arithmetic: the exact expectation of random search against simulation, and
// the scores of runs on a tiny hand-made recording.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "store/recorded_space.hpp"
#include "search/compare.hpp"
#include "search/compare_random.hpp"
#include "search/compare_report.hpp"
#include "tuna/strategy.hpp"

using namespace tuna;
using namespace tuna::search;

namespace {

// Times of a made-up space: `ok` successes spread over a factor of ~3, then `failed`
// failures (+infinity).
std::vector<double> made_up_times(std::size_t ok, std::size_t failed, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> time(0.0, 0.4);
  std::vector<double> t;
  for (std::size_t i = 0; i < ok; ++i) t.push_back(1.0 + time(rng));
  for (std::size_t i = 0; i < failed; ++i) t.push_back(INFINITY);
  return t;
}

std::vector<double> sorted_finite(std::vector<double> t) {
  t.erase(std::remove_if(t.begin(), t.end(), [](double x) { return !std::isfinite(x); }),
          t.end());
  std::sort(t.begin(), t.end());
  return t;
}

// The mean over `runs` shuffles of t_opt / (best of the first k), and of the draws needed to
// reach `fraction`.
struct Empirical {
  double score = 0;
  double evals = 0;
};
Empirical simulate(std::vector<double> times, std::size_t k, double fraction, int runs) {
  std::mt19937_64 rng(42);
  const double t_opt = sorted_finite(times).front();
  Empirical e;
  for (int r = 0; r < runs; ++r) {
    std::shuffle(times.begin(), times.end(), rng);
    double best = *std::min_element(times.begin(), times.begin() + k);
    e.score += (std::isfinite(best) ? t_opt / best : 0.0) / runs;
    std::size_t n = 0;
    while (t_opt / times[n] < fraction) ++n;
    e.evals += static_cast<double>(n + 1) / runs;
  }
  return e;
}

}  // namespace

TEST(RandomSearchExpectation, MatchesTheMeanOfManySimulatedRuns) {
  std::vector<double> times = made_up_times(300, 60, 7);
  std::vector<double> sorted = sorted_finite(times);
  for (std::size_t k : {1, 5, 20, 50}) {
    Empirical e = simulate(times, k, 0.95, 20000);
    double exact = random_search_expected_score(sorted, times.size(), k);
    // 20,000 runs: the standard error of the mean score is below 0.002.
    EXPECT_NEAR(exact, e.score, 0.006) << "k=" << k;
    double evals = random_search_expected_evals(sorted, times.size(), 0.95);
    EXPECT_NEAR(evals / e.evals, 1.0, 0.03);
  }
}

TEST(RandomSearchExpectation, EdgeCases) {
  std::vector<double> sorted = {1.0, 2.0};
  EXPECT_DOUBLE_EQ(random_search_expected_score(sorted, 2, 2), 1.0);  // everything drawn
  EXPECT_DOUBLE_EQ(random_search_expected_score(sorted, 2, 1), 0.75);
  // One success among four configs: a single draw finds it a quarter of the time.
  EXPECT_DOUBLE_EQ(random_search_expected_score({1.0}, 4, 1), 0.25);
  EXPECT_DOUBLE_EQ(random_search_expected_score({}, 4, 3), 0.0);
  EXPECT_DOUBLE_EQ(random_search_expected_evals({1.0}, 4, 0.95), 2.5);
  RandomReach reach = random_search_reach({1.0}, 4, 0.95, 2);
  EXPECT_DOUBLE_EQ(reach.probability, 0.5);
  EXPECT_DOUBLE_EQ(reach.mean_capped_evals, 1.75);  // 1/4 * 1 + 3/4 * 2
}

TEST(RandomSearchExpectation, AgreesWithTheRandomStrategyOnARecording) {
  // Random search through the ask/tell interface on a real Space, scored like compare does.
  std::vector<Parameter> params = {Parameter::int_range("X", 0, 39, 1, 0),
                                   Parameter::int_range("Y", 0, 9, 1, 0)};
  Space space(params, {});
  auto time_of = [](const Config& c) -> double {
    std::int64_t x = c[0].as_int(), y = c[1].as_int();
    if ((x + y) % 7 == 0) return INFINITY;  // fails
    return 1.0 + std::abs(x - 17) * 0.05 + std::abs(y - 3) * 0.1 + ((x * 13 + y * 7) % 5) * 0.02;
  };
  std::vector<double> times;
  space.enumerate([&](const Config& c) {
    times.push_back(time_of(c));
    return true;
  });
  std::vector<double> sorted = sorted_finite(times);
  const std::size_t k = 20;
  const int runs = 3000;
  double mean = 0;
  for (int seed = 0; seed < runs; ++seed) {
    auto s = make_strategy({"random", static_cast<std::uint64_t>(seed)}, space);
    double best = INFINITY;
    for (const Config& c : s->propose(k)) best = std::min(best, time_of(c));
    mean += (std::isfinite(best) ? sorted.front() / best : 0.0) / runs;
  }
  EXPECT_NEAR(mean, random_search_expected_score(sorted, times.size(), k), 0.01);
}

namespace {

// Four configs of one parameter: 2 ms, 1 ms (the optimum), a failure, 4 ms.
sim::RecordedSpace tiny_recording() {
  sim::RecordedSpace r;
  r.name = "tiny";
  r.source_format = "tuna";
  r.space = Space({Parameter::list("V", {1, 2, 3, 4}, 1)}, {});
  const double times[] = {2.0, 1.0, 0.0, 4.0};
  for (int v = 1; v <= 4; ++v) {
    sim::RecordedConfig rc;
    rc.config = Config({Value(v)});
    rc.key = r.space.key(rc.config);
    if (v == 3) {
      rc.status = Status::RuntimeError;
      rc.error_class = "RuntimeFailedConfig";
    } else {
      rc.time_ms = times[v - 1];
      rc.times_ms = {rc.time_ms};
    }
    r.index[rc.key] = r.configs.size();
    r.configs.push_back(rc);
  }
  return r;
}

}  // namespace

TEST(Compare, ScoresHandMadeTracesRight) {
  CompareOptions o;
  o.budgets = {1, 2, 4};
  o.targets = {0.5, 1.0};
  // Run 1 finds 2 ms, then the optimum at the 3rd evaluation; run 2 only fails, then 4 ms.
  RunTrace a{{2.0, 2.0, 1.0, 1.0}};
  RunTrace b{{INFINITY, INFINITY, 4.0}};
  StrategyStats st = summarise_runs("x", {a, b}, 1.0, o);
  ASSERT_EQ(st.score.size(), 3u);
  EXPECT_DOUBLE_EQ(st.score[0], (0.5 + 0.0) / 2);
  EXPECT_DOUBLE_EQ(st.score[1], (0.5 + 0.0) / 2);
  EXPECT_DOUBLE_EQ(st.score[2], (1.0 + 0.25) / 2);  // a shorter trace keeps its last best
  EXPECT_DOUBLE_EQ(st.evals_to[0], (1 + 4) / 2.0);  // run 2 never reaches 0.5: counts as 4
  EXPECT_DOUBLE_EQ(st.reached[0], 0.5);
  EXPECT_DOUBLE_EQ(st.evals_to[1], (3 + 4) / 2.0);
  // Standard errors: scores 0.5 and 0 after 1 evaluation, 1 and 0.25 after 4; the standard
  // deviation over two runs is |a - b| / sqrt(2), its error over sqrt(2) again: |a - b| / 2.
  ASSERT_EQ(st.score_stderr.size(), 3u);
  EXPECT_DOUBLE_EQ(st.score_stderr[0], 0.25);
  EXPECT_DOUBLE_EQ(st.score_stderr[2], 0.375);
  // One run says nothing of the spread.
  EXPECT_TRUE(std::isnan(summarise_runs("x", {a}, 1.0, o).score_stderr[0]));
}

TEST(Compare, StandardErrorsShowInTheTableAndCsvAndAddUpOverSpaces) {
  CompareOptions o;
  o.strategies = {"x"};
  o.budgets = {1};
  o.targets = {1.0};
  o.runs = 2;
  auto space_with = [&](const std::string& name, double a_ms, double b_ms) {
    SpaceStats s;
    s.name = name;
    s.optimum_ms = 1.0;
    s.strategies = {summarise_runs("x", {RunTrace{{a_ms}}, RunTrace{{b_ms}}}, 1.0, o)};
    return s;
  };
  CompareReport report;
  report.options = o;
  report.spaces = {space_with("one", 1.0, 2.0), space_with("two", 1.0, 4.0)};
  EXPECT_DOUBLE_EQ(report.spaces[0].strategies[0].score_stderr[0], 0.25);   // 1 and 0.5
  EXPECT_DOUBLE_EQ(report.spaces[1].strategies[0].score_stderr[0], 0.375);  // 1 and 0.25
  // The mean of the two spaces' means: its error is sqrt(0.25^2 + 0.375^2) / 2.
  StrategyStats mean = report.spaces[0].strategies[0];
  mean.score[0] = (0.75 + 0.625) / 2;
  mean.score_stderr[0] = std::sqrt(0.25 * 0.25 + 0.375 * 0.375) / 2;
  report.average = {mean};
  const std::string table = format_compare_table(report);
  EXPECT_NE(table.find("0.750±0.250"), std::string::npos) << table;
  EXPECT_NE(table.find("0.625±0.375"), std::string::npos) << table;
  const std::string csv = compare_csv(report);
  EXPECT_NE(csv.find("space,strategy,runs,score_at_1,score_stderr_at_1,"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("one,x,2,0.750000,0.250000,"), std::string::npos) << csv;
}

TEST(Compare, ReplaysAHandMadeRecording) {
  sim::RecordedSpace rec = tiny_recording();
  EXPECT_DOUBLE_EQ(rec.optimum_ms(), 1.0);
  RunTrace t = run_on_recording(rec, "exhaustive", 0, 10, sim::ReplayNoise::Median, 1);
  // Exhaustive goes V=1, 2, 3, 4: 2 ms, then 1 ms; the failure and 4 ms change nothing.
  EXPECT_EQ(t.best_ms, (std::vector<double>{2.0, 1.0, 1.0, 1.0}));

  CompareOptions o;
  o.strategies = {"random", "surrogate"};
  o.budgets = {1, 4};
  o.targets = {1.0};
  o.runs = 8;
  o.threads = 2;
  CompareReport report = run_compare({rec}, o);
  ASSERT_EQ(report.spaces.size(), 1u);
  const SpaceStats& s = report.spaces[0];
  EXPECT_EQ(s.configs, 4u);
  EXPECT_EQ(s.ok_configs, 3u);
  ASSERT_EQ(s.strategies.size(), 3u);  // random, surrogate, random (exact)
  for (const StrategyStats& st : s.strategies) {
    EXPECT_DOUBLE_EQ(st.score[1], 1.0) << st.strategy;  // 4 evaluations cover the space
    EXPECT_DOUBLE_EQ(st.reached[0], 1.0) << st.strategy;
  }
  // Exact random search after one draw: (1/2 + 1 + 0 + 1/4) / 4.
  EXPECT_DOUBLE_EQ(s.strategies[2].score[0], 1.75 / 4);
  EXPECT_NEAR(s.strategies[0].score[0], 1.75 / 4, 0.35);
  EXPECT_EQ(report.average.size(), 3u);

  // The same report with one thread: threads change nothing.
  o.threads = 1;
  CompareReport again = run_compare({rec}, o);
  EXPECT_EQ(again.spaces[0].strategies[1].curve, s.strategies[1].curve);

  std::string csv = compare_csv(report);
  EXPECT_NE(csv.find("space,strategy,runs,score_at_1,score_at_4"), std::string::npos);
  EXPECT_NE(csv.find("tiny,random (exact),exact,0.437500"), std::string::npos);
  std::string svg = compare_svg(report);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("surrogate"), std::string::npos);
  EXPECT_NE(format_compare_table(report).find("mean over 1 spaces"), std::string::npos);
  // The exact expectation has no error; the replayed strategies' errors add up over spaces.
  EXPECT_EQ(s.strategies[2].score_stderr, (std::vector<double>{0.0, 0.0}));
  EXPECT_DOUBLE_EQ(report.average[0].score_stderr[0], s.strategies[0].score_stderr[0]);
}

TEST(Compare, LlmUsageIsSummedPerStrategyAndShownInCsvAndJson) {
  CompareOptions o;
  o.strategies = {"llm", "random"};
  o.budgets = {1, 4};
  o.targets = {1.0};
  o.runs = 5;
  o.guided_runs = 2;
  EXPECT_EQ(o.runs_of("llm"), 2u);
  EXPECT_EQ(o.runs_of("hybrid"), 2u);
  EXPECT_EQ(o.runs_of("random"), 5u);
  // Two LLM runs: the second stopped on its own after 2 evaluations and keeps its best.
  RunTrace a{{2.0, 1.0, 1.0, 1.0}, GuidedRunInfo{1, 4, "all 4 LLM rounds done",
                                                 {4, 0, 1000, 200, 12.5}, 0, {}}};
  RunTrace b{{2.0, 2.0}, GuidedRunInfo{2, 2, "round 1 brought no new config",
                                       {2, 1, 300, 50, 2.5}, 7, {}}};
  StrategyStats st = summarise_runs("llm", {a, b}, 1.0, o);
  EXPECT_EQ(st.runs, 2u);
  EXPECT_DOUBLE_EQ(st.score[1], (1.0 + 0.5) / 2);  // run b keeps 2 ms up to the budget of 4
  ASSERT_TRUE(st.llm);
  EXPECT_EQ(st.llm->calls, 6u);
  EXPECT_EQ(st.llm->failed_calls, 1u);
  EXPECT_EQ(st.llm->input_tokens, 1300);
  EXPECT_EQ(st.llm->output_tokens, 250);
  EXPECT_DOUBLE_EQ(st.llm->model_s, 15.0);
  ASSERT_EQ(st.guided_runs.size(), 2u);

  CompareReport report;
  report.options = o;
  SpaceStats space;
  space.name = "tiny";
  space.optimum_ms = 1.0;
  space.strategies = {st, summarise_runs("random", {RunTrace{{1.0}}}, 1.0, o)};
  report.spaces = {space};
  report.average = space.strategies;
  report.average[0].guided_runs.clear();

  std::string csv = compare_csv(report);
  EXPECT_NE(csv.find(",llm_calls,llm_input_tokens,llm_output_tokens,llm_model_s\n"),
            std::string::npos) << csv;
  EXPECT_NE(csv.find("tiny,llm,2,0.500000,0.750000,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",6,1300,250,15.000\n"), std::string::npos) << csv;
  std::string table = format_compare_table(report);
  EXPECT_NE(table.find("LLM usage"), std::string::npos) << table;
  EXPECT_NE(table.find("6 (3.0) 1 failed"), std::string::npos) << table;
  EXPECT_NE(format_guided_runs(report).find("tiny llm seed 2: 2 evaluations, 2 LLM calls (1 "
                                            "failed), tokens 300 in + 50 out, model time 2.5 s, "
                                            "store run 7; stopped: round 1 brought no new config"),
            std::string::npos);

  nlohmann::ordered_json doc = {{"options", nlohmann::ordered_json::object()},
                                {"spaces", {{{"strategies", {{}, {}}}}}},
                                {"average", {{}, {}}}};
  add_llm_usage_json(doc, report);
  EXPECT_EQ(doc["options"]["llm_runs"], 2);
  const auto& row = doc["spaces"][0]["strategies"][0];
  EXPECT_EQ(row["runs"], 2);
  EXPECT_EQ(row["llm"]["calls"], 6);
  EXPECT_EQ(row["llm"]["runs"][1]["store_run"], 7);
  EXPECT_EQ(row["llm"]["runs"][1]["stop_reason"], "round 1 brought no new config");
  EXPECT_FALSE(doc["spaces"][0]["strategies"][1].contains("llm"));
  EXPECT_EQ(doc["average"][0]["llm"]["input_tokens"], 1300);
  EXPECT_FALSE(doc["average"][0]["llm"].contains("runs"));
}
