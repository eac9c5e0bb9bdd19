// Priors (tuna/prior.hpp): what the same kernel measured elsewhere, and what the strategies make
// of it: leaders measured first, the surrogate's extra input, and the check that drops a prior
// that does not agree with this run.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "llm/prompt_sections.hpp"
#include "llm/prompting.hpp"
#include "search/prior_correction.hpp"
#include "search/prior_first.hpp"
#include "search/surrogate.hpp"
#include "search/surrogate_prior.hpp"
#include "test_strategy_support.hpp"
#include "tuna/prior.hpp"

using namespace tuna;
using namespace tuna::test;

namespace {

// Every valid config of the synthetic space with a time from `time_of`.
std::shared_ptr<const Prior> prior_over(const Space& space,
                                        const std::function<double(const Config&)>& time_of,
                                        const std::string& label = "test prior") {
  std::vector<PriorEntry> entries;
  space.enumerate([&](const Config& c) {
    entries.push_back({c, space.key(c), time_of(c)});
    return true;
  });
  return std::make_shared<const Prior>(label, std::move(entries));
}

// Another device: the same landscape with the optimum of C at 4 instead of 6 and D mattering
// less, so the ranks agree broadly but the fastest configs differ.
double other_device_time(const Config& c) {
  const double shifted = c[2].as_double() + 2;
  Config moved = c;
  moved[2] = Value(static_cast<std::int64_t>(std::min(8.0, shifted)));
  return synthetic_time(moved) + (c[3].truthy() ? 0.1 : 0);
}

// Another device where the switch D works the other way: the same order among the configs of
// each setting of D, but D=true three times slower there instead of faster, so the prior's
// fastest configs all have D=false while this run's optimum has D=true.
double flipped_family_time(const Config& c) {
  return synthetic_time(c) * (c[3].truthy() ? 3.0 : 1.0);
}

// Another device where the choice E (three names) works another way: the same order among the
// configs of each value of E, but E=y three times slower there, so the prior's fastest configs
// have E=x or E=z while this run's optimum has E=y. The prior's leaders vary the two-valued
// parameters only, so none of them tries E=y.
double flipped_choice_time(const Config& c) {
  return synthetic_time(c) * (c[4].as_string() == "y" ? 3.0 : 1.0);
}

Result ok_result(const std::string& key, double ms) {
  Result r;
  r.key = key;
  r.median_ms = ms;
  return r;
}

// Evaluations the surrogate needs to reach the optimum, over seeds 0..seeds-1 (budget when not).
double mean_evals_to_optimum(const Space& space,
                             const std::vector<std::shared_ptr<const Prior>>& priors, int seeds,
                             std::size_t budget, search::SurrogateOptions o = {}) {
  double total = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    o.seed = static_cast<std::uint64_t>(seed);
    search::SurrogateSearch s(space, o, priors);
    Trace t = run_strategy(s, space, budget);
    total += t.evals_to_optimum ? t.evals_to_optimum : budget;
  }
  return total / seeds;
}

}  // namespace

TEST(Prior, RanksFastestFirstAndKeepsTheFastestOfARepeatedKey) {
  Space space = tiny_space();
  Config a = space.parse_key("P=1,Q=1,R=false"), b = space.parse_key("P=2,Q=1,R=true");
  Prior prior("p", {{a, space.key(a), 3.0},
                    {b, space.key(b), 2.0},
                    {a, space.key(a), 1.0},
                    {b, space.key(b), NAN}});
  ASSERT_EQ(prior.size(), 2u);
  EXPECT_EQ(prior.ranked()[0].key, space.key(a));
  EXPECT_DOUBLE_EQ(prior.ranked()[0].time_ms, 1.0);
  EXPECT_DOUBLE_EQ(prior.find(space.key(b))->time_ms, 2.0);
  EXPECT_EQ(prior.find("P=8,Q=2,R=false"), nullptr);
  EXPECT_DOUBLE_EQ(prior.rank_fraction(space.key(a)), 0.0);
  EXPECT_DOUBLE_EQ(prior.rank_fraction(space.key(b)), 1.0);
  EXPECT_GT(prior.rank_fraction("P=8,Q=2,R=false"), 1.0);  // absent ranks below every entry
}

TEST(Prior, SpearmanCorrelationOfRanks) {
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2, 3, 4}, {10, 20, 30, 400}), 1.0);
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2}, {1, 2}), 0.0);              // too few to tell
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 1, 1, 1}, {1, 2, 3, 4}), 0.0);  // no order
  // Ties share their mean rank: 1 tie among four, still clearly positive.
  EXPECT_NEAR(spearman_correlation({1, 2, 2, 3}, {1, 2, 3, 4}), 0.9487, 1e-3);
}

TEST(Prior, AgreementCountsOnlyConfigsThatRanInBothPlaces) {
  Space space = tiny_space();
  std::shared_ptr<const Prior> prior =
      prior_over(space, [&](const Config& c) { return measure_tiny(space, c).median_ms; });
  std::vector<Result> here;
  for (const char* key : {"P=1,Q=1,R=false", "P=2,Q=1,R=false", "P=4,Q=1,R=false"})
    here.push_back(ok_result(key, measure_tiny(space, space.parse_key(key)).median_ms * 3));
  Result failed = ok_result("P=8,Q=1,R=false", 0);
  failed.status = Status::RuntimeError;
  here.push_back(failed);
  here.push_back(ok_result("P=9,Q=9,R=false", 1.0));  // not in the prior
  PriorAgreement a = prior_agreement(*prior, here);
  EXPECT_EQ(a.compared, 3u);
  EXPECT_DOUBLE_EQ(a.spearman, 1.0);
}

TEST(Prior, ShuffledTimesKeepTheConfigsAndLoseTheOrder) {
  Space space = synthetic_space();
  auto prior = prior_over(space, synthetic_time);
  Prior shuffled = with_times_shuffled(*prior, 7);
  EXPECT_EQ(shuffled.size(), prior->size());
  EXPECT_NE(shuffled.label().find("shuffled"), std::string::npos);
  std::vector<double> there, here;
  for (const PriorEntry& e : shuffled.ranked()) {
    ASSERT_NE(prior->find(e.key), nullptr);
    there.push_back(e.time_ms);
    here.push_back(prior->find(e.key)->time_ms);
  }
  EXPECT_LT(std::abs(spearman_correlation(there, here)), 0.05);
  EXPECT_EQ(with_times_shuffled(*prior, 7).ranked()[0].key, shuffled.ranked()[0].key);
}

TEST(PriorLeaders, TakeTurnsAmongPriorsAndSkipClaimedConfigs) {
  Space space = tiny_space();
  auto fast_p = prior_over(space, [](const Config& c) { return c[0].as_double(); });
  auto fast_q = prior_over(space, [](const Config& c) { return c[1].as_double() * 10; });
  search::PriorLeaders leaders(space, {fast_p, fast_q});
  std::unordered_set<std::string> claimed = {fast_p->ranked()[0].key};
  auto is_claimed = [&](const std::string& k) { return claimed.count(k) > 0; };
  std::optional<PriorEntry> first = leaders.next(is_claimed);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->key, fast_p->ranked()[1].key);  // the very fastest was claimed
  claimed.insert(first->key);
  std::optional<PriorEntry> second = leaders.next(is_claimed);
  ASSERT_TRUE(second);
  EXPECT_DOUBLE_EQ(second->config[1].as_double(), 1.0);  // the second prior's turn: Q = 1
}

// The leaders a single prior over synthetic_space() gives, written out by hand: its fastest
// config, then its fastest with the only switch (D) set the other way, then (both settings
// taken) its fastest config not taken yet.
std::vector<std::string> expected_leaders(const Prior& prior, std::size_t n) {
  const std::vector<PriorEntry>& ranked = prior.ranked();
  std::vector<std::string> out = {ranked[0].key};
  const bool first_d = ranked[0].config[3].truthy();
  for (const PriorEntry& e : ranked)
    if (e.config[3].truthy() != first_d) {
      out.push_back(e.key);
      break;
    }
  for (const PriorEntry& e : ranked) {
    if (out.size() >= n) break;
    if (std::find(out.begin(), out.end(), e.key) == out.end()) out.push_back(e.key);
  }
  out.resize(n);
  return out;
}

TEST(PriorLeaders, AfterThePriorsFastestEachLeaderSetsTheSwitchesUnlikeTheLeadersBefore) {
  // A prior whose fastest configs all have R off: the second leader is its fastest with R on,
  // the third (both settings of the only switch taken) its next fastest overall.
  Space space = tiny_space();
  auto prior = prior_over(space, [](const Config& c) {
    return c[0].as_double() + c[1].as_double() + (c[2].truthy() ? 5.0 : 0.0);
  });
  search::PriorLeaders leaders(space, {prior});
  std::unordered_set<std::string> claimed;
  auto is_claimed = [&](const std::string& k) { return claimed.count(k) > 0; };
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    std::optional<PriorEntry> lead = leaders.next(is_claimed);
    ASSERT_TRUE(lead);
    claimed.insert(lead->key);
    got.push_back(lead->key);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"P=1,Q=1,R=false", "P=1,Q=1,R=true",
                                           "P=1,Q=2,R=false"}));
  // The leader taken out of order is not given again.
  std::optional<PriorEntry> fourth = leaders.next(is_claimed);
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->key, "P=2,Q=1,R=false");
}

TEST(PriorLeaders, WithoutSwitchesTheyAreThePriorsFastestInOrder) {
  Space space({Parameter::list("P", {1, 2, 4, 8}, 1), Parameter::list("Q", {1, 2, 3}, 1)}, {});
  auto prior = prior_over(space, [](const Config& c) { return c[0].as_double() * c[1].as_double(); });
  search::PriorLeaders leaders(space, {prior});
  auto never = [](const std::string&) { return false; };
  for (std::size_t i = 0; i < 3; ++i) {
    std::optional<PriorEntry> lead = leaders.next(never);
    ASSERT_TRUE(lead);
    EXPECT_EQ(lead->key, prior->ranked()[i].key) << i;
  }
}

TEST(PriorFirst, MeasuresThePriorsFastestFirstThenHandsOverWithoutRepeats) {
  Space space = synthetic_space();
  auto prior = prior_over(space, synthetic_time);
  StrategyOptions options{"random", 3, {prior}};
  auto strategy = make_strategy(options, space);
  Trace t = run_strategy(*strategy, space, 40, 3);
  ASSERT_EQ(t.keys.size(), 40u);  // run_strategy fails the test on a repeated proposal
  EXPECT_EQ(std::vector<std::string>(t.keys.begin(), t.keys.begin() + 3),
            expected_leaders(*prior, 3));
  EXPECT_EQ(t.evals_to_optimum, 1u);
}

TEST(PriorFirst, WithoutAPriorTheStrategyIsUnchanged) {
  Space space = synthetic_space();
  auto plain = make_strategy({"pattern", 4}, space);
  auto led =
      search::with_prior_first(space, {"pattern", 4, {}}, make_strategy({"pattern", 4}, space));
  EXPECT_EQ(run_strategy(*plain, space, 60, 2).keys, run_strategy(*led, space, 60, 2).keys);
}

TEST(SurrogatePriors, CountOnlyWhileTheyAgreeWithTheMeasurements) {
  Space space = synthetic_space();
  auto good = prior_over(space, other_device_time, "good");
  auto bad = std::make_shared<const Prior>(with_times_shuffled(*good, 1));
  search::SurrogatePriors priors({good, bad}, {});
  search::History history(space);
  std::mt19937_64 rng(5);
  std::vector<Result> results;
  priors.judge(history);
  EXPECT_FALSE(priors.trusted(0));  // nothing measured yet: no evidence either way
  EXPECT_TRUE(priors.candidates(history).empty());
  for (int i = 0; i < 40; ++i) {
    Config c = space.random_valid(rng);
    if (history.claimed(space.key(c))) continue;
    history.claim(space.key(c));
    results.push_back(measure_synthetic(space, c));
  }
  history.record(results);
  priors.judge(history);
  EXPECT_TRUE(priors.trusted(0));
  EXPECT_FALSE(priors.trusted(1));
  // The corrected prior's stricter test (1 %): the related prior passes it too, over 40 configs.
  EXPECT_TRUE(priors.agrees_beyond(0, 2.326));
  EXPECT_FALSE(priors.agrees_beyond(1, 2.326));
  std::vector<double> x;
  priors.append_features(good->ranked()[0].key, x);
  EXPECT_EQ(x, (std::vector<double>{0.0}));  // the good prior's rank; nothing of the other
  for (const PriorEntry* e : priors.candidates(history)) EXPECT_NE(good->find(e->key), nullptr);
}

TEST(SurrogateWithPrior, StartsFromThePriorsFastestConfigs) {
  Space space = synthetic_space();
  auto prior = prior_over(space, other_device_time);
  search::SurrogateOptions o;
  o.seed = 2;
  search::SurrogateSearch s(space, o, {prior});
  std::vector<Config> first = s.propose(10);
  ASSERT_EQ(first.size(), 10u);
  const std::vector<std::string> leaders = expected_leaders(*prior, o.prior_leaders);
  for (std::size_t i = 0; i < o.prior_leaders; ++i)
    EXPECT_EQ(space.key(first[i]), leaders[i]) << i;
}

// The leaders steer the first proposals; from `forget_leaders_after` measurements on, the model
// learns only from the configs it (or the random design) chose.
TEST(SurrogateWithPrior, TheModelForgetsTheLeadersOnceEnoughIsMeasured) {
  Space space = synthetic_space();
  auto prior = prior_over(space, other_device_time);
  for (std::size_t forget_after : {std::size_t{0}, std::size_t{20}}) {
    SCOPED_TRACE(forget_after);
    search::SurrogateOptions o;
    o.seed = 4;
    o.forget_leaders_after = forget_after;
    search::SurrogateSearch s(space, o, {prior});
    run_strategy(s, space, 20);  // the 20th proposal was made with 19 measured
    EXPECT_EQ(s.fitted_rows(), 19u);
    run_strategy(s, space, 6);  // the last with 25 measured
    EXPECT_EQ(s.fitted_rows(), forget_after ? 25u - o.prior_leaders : 25u);
  }
}

TEST(SurrogateWithPrior, ARelatedPriorReachesTheOptimumSoonerAndAShuffledOneCostsLittle) {
  Space space = synthetic_space();
  auto related = prior_over(space, other_device_time);
  auto shuffled = std::make_shared<const Prior>(with_times_shuffled(*related, 3));
  const int seeds = 6;
  const std::size_t budget = 120;
  const double none = mean_evals_to_optimum(space, {}, seeds, budget);
  const double with_related = mean_evals_to_optimum(space, {related}, seeds, budget);
  const double with_shuffled = mean_evals_to_optimum(space, {shuffled}, seeds, budget);
  // Measured when written: 50 against 69 evaluations (6 seeds).
  EXPECT_LT(with_related, 0.8 * none) << "none " << none << ", related " << with_related;
  EXPECT_LT(with_shuffled, none + 15) << "none " << none << ", shuffled " << with_shuffled;
}

// The correction learns that D=true is faster here, relative to the prior, than there; with the
// prior's order among the configs of each setting of D right, the corrected ranking is this
// device's.
TEST(PriorCorrection, LearnsAFamilysOffsetAndThenRanksByThePriorsOrder) {
  Space space = synthetic_space();
  auto prior = prior_over(space, flipped_family_time);
  ASSERT_FALSE(prior->ranked().front().config[3].truthy());
  search::SurrogateFeatures features(space);
  search::PriorCorrection correction(prior, features);
  search::History history(space);
  std::mt19937_64 rng(3);
  std::vector<Result> results;
  while (results.size() < 30) {
    Config c = space.random_valid(rng);
    if (c[5].as_int() == 0 || !history.claim(space.key(c))) continue;
    results.push_back(measure_synthetic(space, c));
  }
  history.record(results);
  EXPECT_FALSE(correction.fit(history, {}, rng, 31));  // too few rows: nothing fitted
  EXPECT_FALSE(correction.best_unclaimed(history, 0));
  ASSERT_TRUE(correction.fit(history, {}, rng, 8));
  std::optional<search::PriorCorrection::Pick> pick = correction.best_unclaimed(history, 0);
  ASSERT_TRUE(pick);
  EXPECT_EQ(pick->entry->key, synthetic_optimum_key());
  // Its predicted time here is near its 1 ms (the prior's 3 ms is log 3 = 1.1 away).
  EXPECT_NEAR(pick->score, std::log(1.0), 0.15);
  // Measured, it is never picked again.
  history.claim(pick->entry->key);
  std::optional<search::PriorCorrection::Pick> next = correction.best_unclaimed(history, 0);
  ASSERT_TRUE(next);
  EXPECT_NE(next->entry->key, synthetic_optimum_key());
}

// A prior that is right inside each family and wrong about which family wins: the corrected prior
// finds this run's optimum sooner than the prior as the classifier's input and candidates did.
TEST(SurrogateWithPrior, TheCorrectedPriorFindsTheFamilyThePriorGotWrong) {
  Space space = synthetic_space();
  auto flipped = prior_over(space, flipped_family_time);
  const int seeds = 6;
  const std::size_t budget = 120;
  // Without leaders (the prior's fastest of each setting of D, one of which is the optimum here),
  // so that the model alone finds it.
  search::SurrogateOptions after;
  after.prior_leaders = 0;
  search::SurrogateOptions before = after;
  before.prior_correction.enabled = false;
  const double corrected = mean_evals_to_optimum(space, {flipped}, seeds, budget, after);
  const double as_input = mean_evals_to_optimum(space, {flipped}, seeds, budget, before);
  const double none = mean_evals_to_optimum(space, {}, seeds, budget);
  // Measured when written (6 seeds): 15.8 evaluations corrected, 42 as an input, 68.7 without.
  EXPECT_LT(corrected, 0.7 * as_input) << "as input " << as_input << ", corrected " << corrected;
  EXPECT_LT(corrected, none) << "none " << none << ", corrected " << corrected;
}

// A difference in a choice of three names: a position in their list means nothing, so the
// correction gets one indicator per name (with_choice_indicators). Measured when written (6
// seeds): 16 evaluations to the optimum, against 28.5 with the prior as the classifier's input,
// and 45.5 for the correction without the indicators.
TEST(SurrogateWithPrior, TheCorrectedPriorLearnsADifferenceInAChoiceOfNames) {
  Space space = synthetic_space();
  auto flipped = prior_over(space, flipped_choice_time);
  ASSERT_NE(flipped->ranked().front().config[4].as_string(), "y");
  const int seeds = 6;
  const std::size_t budget = 120;
  search::SurrogateOptions before;
  before.prior_correction.enabled = false;
  const double corrected = mean_evals_to_optimum(space, {flipped}, seeds, budget);
  const double as_input = mean_evals_to_optimum(space, {flipped}, seeds, budget, before);
  EXPECT_LT(corrected, 0.75 * as_input) << "as input " << as_input << ", corrected " << corrected;
}

TEST(PriorInPrompt, TheFirstPromptShowsThePriorsFastestConfigsAsHintsFromElsewhere) {
  Space space = tiny_space();
  auto prior = prior_over(
      space, [&](const Config& c) { return measure_tiny(space, c).median_ms; }, "A100.json.gz");
  KernelSpec spec;
  spec.name = "tiny";
  spec.backend = "host";
  DeviceInfo device;
  std::vector<std::shared_ptr<const Prior>> priors = {prior};
  llm::InitialPromptInputs with{spec, space, device, "", 5, 0, &priors};
  llm::InitialPromptInputs without{spec, space, device, "", 5, 0, nullptr};
  const std::string prompt = llm::build_initial_prompt(with);
  EXPECT_NE(prompt.find("## Measured elsewhere"), std::string::npos);
  EXPECT_NE(prompt.find(fmt::format("From A100.json.gz ({} configs ran correctly there)",
                                    prior->size())),
            std::string::npos);
  EXPECT_NE(prompt.find("nothing below was measured on this device"), std::string::npos);
  EXPECT_NE(prompt.find("- 1.00x "), std::string::npos);  // the fastest, relative to itself
  // At most kPriorConfigsShown configs of a prior are listed.
  const std::string section = prompt.substr(prompt.find("## Measured elsewhere"));
  const std::string listed = section.substr(0, section.find("\n## "));
  std::size_t lines = 0;
  for (std::size_t at = listed.find("\n- "); at != std::string::npos; at = listed.find("\n- ", at + 1))
    ++lines;
  EXPECT_EQ(lines, llm::kPriorConfigsShown);
  EXPECT_EQ(llm::build_initial_prompt(without).find("Measured elsewhere"), std::string::npos);
}

TEST(PriorInPrompt, TheFastestOfEachOtherSettingOfTheSwitchesFollowsTheFastest) {
  // Every config with R on is slower than every one with R off: the 10 fastest all have R off,
  // so the fastest with R on is listed after them, under its own heading.
  Space space = tiny_space();
  auto prior = prior_over(space, [](const Config& c) {
    return c[0].as_double() * c[1].as_double() + (c[2].truthy() ? 100.0 : 0.0);
  });
  std::vector<std::shared_ptr<const Prior>> priors = {prior};
  const std::string section = llm::describe_priors(space, priors);
  const std::size_t heading = section.find("with the two-way choices (R) set otherwise:\n");
  ASSERT_NE(heading, std::string::npos) << section;
  // Only the one other setting, once, fastest of its family (P=1, Q=1: 101 against 1).
  EXPECT_EQ(section.substr(heading).find("\n- 101.00x R=true\n"),
            section.substr(heading).find('\n'))
      << section;
  EXPECT_EQ(section.find("R=true"), section.rfind("R=true"));
  // No heading when the fastest already show every setting.
  auto mixed = prior_over(space, [](const Config& c) { return c[0].as_double() * c[1].as_double(); });
  std::vector<std::shared_ptr<const Prior>> mixed_priors = {mixed};
  EXPECT_EQ(llm::describe_priors(space, mixed_priors).find("set otherwise"), std::string::npos);
}
