// The surrogate strategy on synthetic spaces with a known optimum.
#include <algorithm>
#include <cmath>

#include "search/surrogate.hpp"
#include "search/surrogate_features.hpp"
#include "test_strategy_support.hpp"

using namespace tuna;
using namespace tuna::test;

TEST(Surrogate, KeepsTheContractOfEveryStrategy) { check_common_contract("surrogate"); }

TEST(Surrogate, FindsTheOptimumFarBelowTheSpaceSize) {
  // About 20,600 valid configs; 120 evaluations is about 0.6 % of them.
  Success s = success_rate("surrogate", 120, 10);
  EXPECT_GE(s.found, 8) << "mean score " << s.mean_score;
  EXPECT_GE(s.mean_score, 0.97);
}


namespace {

// A list of block sizes in steps of 16 (only some are multiples of 32 or 64), a power-of-two
// range, and a boolean.
Space aligned_space() {
  std::vector<Parameter> params = {
      Parameter::list("BX", {16, 32, 48, 64, 80, 96, 112, 128}, 16),
      Parameter::pow2_range("BY", 1, 16, 1),
      Parameter::boolean("SH", false),
  };
  return Space(params, {});
}

}  // namespace

TEST(SurrogateFeatures, CountsFactorsOfTwo) {
  EXPECT_EQ(search::factors_of_two(1), 0);
  EXPECT_EQ(search::factors_of_two(48), 4);
  EXPECT_EQ(search::factors_of_two(64), 6);
  EXPECT_EQ(search::factors_of_two(0), 0);
}

TEST(SurrogateFeatures, AddDivisibilityOnlyWhereThePositionDoesNotTellIt) {
  Space space = aligned_space();
  search::SurrogateFeatures features(space);
  // BX gets the extra feature; BY (all powers of two) and SH (two values) do not.
  ASSERT_EQ(features.width(), 4u);
  Config c48 = space.parse_key("BX=48,BY=2,SH=false");
  Config c64 = space.parse_key("BX=64,BY=2,SH=false");
  Config c128 = space.parse_key("BX=128,BY=2,SH=false");
  std::vector<double> x48 = features(c48), x64 = features(c64), x128 = features(c128);
  ASSERT_EQ(x48.size(), 4u);
  EXPECT_EQ(std::vector<double>(x48.begin(), x48.begin() + 3), space.encode(c48));
  // Scaled by the most aligned value of the list, 128 = 2^7; 48 = 16 * 3 divides by two 4 times.
  EXPECT_DOUBLE_EQ(x128[3], 1.0);
  EXPECT_DOUBLE_EQ(x64[3], 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(x48[3], 4.0 / 7.0);
}

TEST(Surrogate, ForestTreesSpreadAroundTheirMean) {
  std::mt19937_64 rng(3);
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int i = 0; i < 40; ++i) {
    x.push_back({i / 40.0});
    y.push_back(i < 20 ? 1.0 : 3.0);
  }
  search::RegressionForest forest;
  forest.fit(x, y, {}, rng);
  ASSERT_EQ(forest.size(), 20u);
  double sum = 0;
  for (std::size_t t = 0; t < forest.size(); ++t) sum += forest.predict_tree({0.9}, t);
  EXPECT_NEAR(sum / forest.size(), forest.predict({0.9}).mean, 1e-9);
  EXPECT_NEAR(forest.predict({0.1}).mean, 1.0, 0.2);
  EXPECT_NEAR(forest.predict({0.9}).mean, 3.0, 0.2);
}

// The corrected prior skips configs whose best possible score cannot win, by the forest's bounds:
// no input may be predicted below them, or a winner would be skipped.
TEST(Surrogate, NoPredictionFallsOutsideTheForestsBounds) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) {
    x.push_back({u(rng), u(rng), u(rng)});
    y.push_back(std::sin(6 * x.back()[0]) + x.back()[1] * x.back()[2] + 0.3 * u(rng));
  }
  search::RegressionForest forest;
  forest.fit(x, y, {}, rng);
  const search::RegressionForest::Bounds bounds = forest.bounds();
  double lowest_mean = INFINITY, highest_spread = 0;
  for (int i = 0; i < 2000; ++i) {
    const search::RegressionForest::Prediction p = forest.predict({u(rng), u(rng), u(rng)});
    lowest_mean = std::min(lowest_mean, p.mean);
    highest_spread = std::max(highest_spread, p.stddev);
  }
  EXPECT_GE(lowest_mean, bounds.mean_low - 1e-12);
  EXPECT_LE(highest_spread, bounds.spread_high + 1e-12);
  // And they are not vacuous: within the range of the data.
  EXPECT_GT(bounds.mean_low, *std::min_element(y.begin(), y.end()) - 1e-12);
  EXPECT_LT(bounds.spread_high, *std::max_element(y.begin(), y.end()) -
                                    *std::min_element(y.begin(), y.end()));
}

// A feature with more distinct values than max_bins (a prior's rank, a block size of 1..64) is
// binned two values to a bin; a value the fit sent to the right of a split must be predicted
// there too. The threshold once sat midway between two bin tops (2 between tops 1 and 3 here),
// so a measured 2, trained right, was predicted left: the step below was predicted 0 at 2.
TEST(Surrogate, BinnedFeaturesPredictEachMeasuredValueOnTheSideItWasTrained) {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int repeat = 0; repeat < 3; ++repeat)
    for (int v = 0; v < 64; ++v) {
      x.push_back({static_cast<double>(v)});
      y.push_back(v >= 2 ? 1.0 : 0.0);
    }
  for (bool random_thresholds : {false, true}) {
    search::ForestOptions options;
    ASSERT_EQ(options.max_bins, 32);
    options.random_thresholds = random_thresholds;
    std::mt19937_64 rng(5);
    search::RegressionForest forest;
    forest.fit(x, y, options, rng);
    EXPECT_NEAR(forest.predict({1.0}).mean, 0.0, 0.05) << random_thresholds;
    EXPECT_NEAR(forest.predict({2.0}).mean, 1.0, 0.05) << random_thresholds;
    EXPECT_NEAR(forest.predict({3.0}).mean, 1.0, 0.05) << random_thresholds;
  }
}

// A value between two measured ones (a tile height of 3 when only 1, 2 and 4 were measured) is
// lumped with one neighbour by midpoint thresholds, every tree agreeing; with random thresholds
// the trees disagree about it, while the measured values keep their predictions.
TEST(Surrogate, RandomThresholdsMakeTheTreesDisagreeAboutUnmeasuredValues) {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int i = 0; i < 10; ++i)
    for (double v : {0.0, 1.0 / 3, 1.0}) {
      x.push_back({v});
      y.push_back(v == 1.0 ? 0.0 : 1.0);
    }
  const std::vector<double> between = {2.0 / 3};
  search::RegressionForest midpoint, random;
  std::mt19937_64 rng(5);
  midpoint.fit(x, y, {}, rng);
  search::ForestOptions options;
  options.random_thresholds = true;
  random.fit(x, y, options, rng);
  EXPECT_NEAR(midpoint.predict(between).mean, 1.0, 1e-9);
  EXPECT_NEAR(midpoint.predict(between).stddev, 0.0, 1e-9);
  EXPECT_GT(random.predict(between).stddev, 0.2);
  EXPECT_GT(random.predict(between).mean, 0.1);
  EXPECT_LT(random.predict(between).mean, 0.9);
  for (const search::RegressionForest* forest : {&midpoint, &random}) {
    EXPECT_NEAR(forest->predict({0.0}).mean, 1.0, 1e-9);
    EXPECT_NEAR(forest->predict({1.0 / 3}).mean, 1.0, 1e-9);
    EXPECT_NEAR(forest->predict({1.0}).mean, 0.0, 1e-9);
  }
}

// Every variant of the search keeps the contract: deterministic for a seed, never proposes a
// config twice, only valid configs, failures are no crash.
class SurrogateVariant : public ::testing::TestWithParam<int> {
 protected:
  static search::SurrogateOptions options(int variant, std::uint64_t seed) {
    search::SurrogateOptions o;
    o.seed = seed;
    switch (variant) {
      case 0: o.acquisition = search::Acquisition::Thompson; break;
      case 1: o.acquisition = search::Acquisition::ExpectedImprovement; break;
      case 2: o.top_fraction = 0; break;  // regression on log time
      case 3: o.stall_patience = 5; o.crossover_candidates = 16; break;
      case 4: o.forest.random_thresholds = true; break;
      default: o.alignment_features = false; break;
    }
    return o;
  }
};

TEST_P(SurrogateVariant, KeepsTheContractAndFindsGoodConfigs) {
  Space space = synthetic_space();
  search::SurrogateSearch a(space, options(GetParam(), 4)), b(space, options(GetParam(), 4));
  Trace ta = run_strategy(a, space, 100, 3);
  Trace tb = run_strategy(b, space, 100, 3);
  EXPECT_EQ(ta.keys, tb.keys);
  EXPECT_EQ(ta.keys.size(), 100u);
  EXPECT_LE(ta.best_ms, 1.25);  // within a quarter of the optimum (1 ms) out of ~20,600

  search::SurrogateSearch fails(space, options(GetParam(), 5));
  Trace tf = run_strategy(fails, space, 60, 4, measure_all_fail);
  EXPECT_EQ(tf.keys.size(), 60u);

  Space tiny = tiny_space();
  search::SurrogateSearch all(tiny, options(GetParam(), 6));
  Trace tt = run_strategy(all, tiny, 1000, 2, measure_tiny, "");
  EXPECT_EQ(tt.keys.size(), count_valid(tiny));
}

INSTANTIATE_TEST_SUITE_P(Options, SurrogateVariant, ::testing::Range(0, 6));

TEST(Surrogate, AfterStallingProposesNeighboursOfTheBest) {
  Space space = synthetic_space();
  search::SurrogateOptions o;
  o.seed = 2;
  o.initial_samples = 8;
  o.stall_patience = 3;
  search::SurrogateSearch s(space, o);
  std::vector<Result> first;
  for (const Config& c : s.propose(8)) first.push_back(measure_synthetic(space, c));
  s.observe(first);
  const Result* best = nullptr;
  for (const Result& r : first)
    if (r.ok() && (!best || r.median_ms < best->median_ms)) best = &r;
  ASSERT_NE(best, nullptr);
  // Three failures (F = 0 crashes): no improvement for stall_patience measurements.
  std::mt19937_64 rng(1);
  int failures = 0;
  while (failures < 3) {
    Config c = space.random_valid(rng);
    if (c[5].as_int() != 0) continue;
    Result r = measure_synthetic(space, c);
    if (std::find_if(first.begin(), first.end(), [&](const Result& f) {
          return f.key == r.key;
        }) != first.end())
      continue;
    s.observe({r});
    ++failures;
  }
  std::set<std::string> around;
  for (const Config& c : space.neighbours(best->config, 1)) around.insert(space.key(c));
  for (int i = 0; i < 3; ++i) {
    std::vector<Config> next = s.propose(1);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_TRUE(around.count(space.key(next[0]))) << space.key(next[0]);
    Result r = measure_synthetic(space, next[0]);
    r.median_ms = 1e3;  // keeps the search stalled
    s.observe({r});
  }
}

// The hybrid extends its surrogate's initial design after the LLM's first round: the next
// proposals are the random draws an initial design of that size would have made, not the
// model's picks.
TEST(Surrogate, AnExtendedInitialDesignProposesRandomConfigsAgain) {
  Space space = synthetic_space();
  search::SurrogateOptions o;
  o.seed = 5;
  o.initial_samples = 8;
  auto measured_first = [&](search::SurrogateSearch& s) {
    std::vector<Result> first;
    for (const Config& c : s.propose(8)) first.push_back(measure_synthetic(space, c));
    s.observe(first);
  };
  auto keys = [&](const std::vector<Config>& configs) {
    std::vector<std::string> out;
    for (const Config& c : configs) out.push_back(space.key(c));
    return out;
  };
  search::SurrogateSearch modelled(space, o), extended(space, o);
  measured_first(modelled);
  measured_first(extended);
  extended.extend_initial_design(3);
  const std::vector<std::string> model_picks = keys(modelled.propose(3));
  const std::vector<std::string> after_extension = keys(extended.propose(3));

  search::SurrogateOptions eleven = o;
  eleven.initial_samples = 11;
  search::SurrogateSearch design(space, eleven);
  const std::vector<std::string> random_design = keys(design.propose(11));
  EXPECT_EQ(after_extension,
            std::vector<std::string>(random_design.begin() + 8, random_design.end()));
  EXPECT_NE(after_extension, model_picks);
}
