// The recorded space in words (infer_recorded_rules): a space replayed from a recording shows
// its restriction to the recorded configs as rules a model can check, where bounds on one
// parameter or on the product of two reproduce it exactly.
#include <gtest/gtest.h>

#include "llm/prompt_sections.hpp"
#include "llm/recorded_rules.hpp"
#include "support/int_values.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::llm {
namespace {

using testing::ints;

Space make_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("BX", ints({16, 32, 64, 128}), 16));
  p.push_back(Parameter::list("BY", ints({1, 2, 4, 8}), 1));
  p.push_back(Parameter::boolean("FLAG", false));
  return Space(std::move(p), {});
}

// The configs of `space` that `keep` accepts, as a recorder that dropped the others would have
// written them.
template <class Keep>
std::vector<Config> recorded(const Space& space, Keep keep) {
  std::vector<Config> out;
  for (const Config& c : space.enumerate_all())
    if (keep(c[0].as_int(), c[1].as_int())) out.push_back(c);
  return out;
}

TEST(LlmRecordedRules, ProductBoundsThatReproduceTheRecordingAreFound) {
  Space space = make_space();
  space.restrict_to(recorded(space, [](long long bx, long long by) {
    return bx * by >= 32 && bx * by <= 256;
  }));
  const auto rules = infer_recorded_rules(space);
  ASSERT_TRUE(rules);
  EXPECT_TRUE(rules->exact);
  EXPECT_EQ(rules->candidates, 32u);
  EXPECT_EQ(rules->recorded, 24u);
  EXPECT_EQ(rules->rules, (std::vector<std::string>{"BX * BY >= 32", "BX * BY <= 256"}));
  EXPECT_EQ(describe_recorded_rules(*rules),
            "only the 24 configs of the recording are valid (of 32 combinations of the values "
            "above); they are exactly those with `BX * BY >= 32`, `BX * BY <= 256` (inferred "
            "from the recording)");
}

TEST(LlmRecordedRules, ABoundOnOneParameterIsFoundAndRedundantOnesAreDropped) {
  Space space = make_space();
  // BY <= 4 also bounds BX * BY and BY * BY from above; only the one bound is needed.
  space.restrict_to(recorded(space, [](long long, long long by) { return by <= 4; }));
  const auto rules = infer_recorded_rules(space);
  ASSERT_TRUE(rules);
  ASSERT_TRUE(rules->exact);
  EXPECT_EQ(rules->rules.size(), 1u);
  // Any one rule that cuts exactly BY = 8 will do; it must name BY.
  EXPECT_NE(rules->rules[0].find("BY"), std::string::npos) << rules->rules[0];
}

TEST(LlmRecordedRules, ARecordingNoBoundReproducesIsSaidToBeSo) {
  Space space = make_space();
  // A checkerboard of BX and BY: no bound on a value or a product cuts exactly these.
  space.restrict_to(recorded(space, [](long long bx, long long by) {
    return (bx == 16 || bx == 64) == (by == 1 || by == 4);
  }));
  const auto rules = infer_recorded_rules(space);
  ASSERT_TRUE(rules);
  EXPECT_FALSE(rules->exact);
  EXPECT_NE(describe_recorded_rules(*rules).find("no bound on one parameter or on the product of "
                                                 "two reproduces them"),
            std::string::npos);
}

TEST(LlmRecordedRules, ACompleteRecordingOrAnUnrestrictedSpaceNeedsNoRules) {
  Space space = make_space();
  EXPECT_FALSE(infer_recorded_rules(space));  // not restricted
  space.restrict_to(space.enumerate_all());
  const auto rules = infer_recorded_rules(space);
  ASSERT_TRUE(rules);
  EXPECT_EQ(describe_recorded_rules(*rules),
            "the recording holds every combination of the values above: nothing to check");
}

TEST(LlmRecordedRules, ATooLargeGridIsNotEnumerated) {
  Space space = make_space();
  space.restrict_to(recorded(space, [](long long bx, long long by) { return bx * by <= 64; }));
  const auto rules = infer_recorded_rules(space, /*max_grid=*/10);
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->candidates, 0u);
  EXPECT_EQ(describe_recorded_rules(*rules),
            "only the " + std::to_string(rules->recorded) +
                " configs of the recording are valid; a config outside them is moved to a "
                "nearby recorded one");
}

TEST(LlmRecordedRules, ParametersTooLargeToMultiplySafelyAreLeftOutOfTheRules) {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("A", ints({1, 2, 4}), 1));
  const Value one(std::int64_t{1});
  p.push_back(Parameter::list("HUGE", {one, Value(std::int64_t{1} << 40)}, one));
  Space space(std::move(p), {});
  space.restrict_to(recorded(space, [](long long a, long long) { return a <= 2; }));
  const auto rules = infer_recorded_rules(space);
  ASSERT_TRUE(rules);
  ASSERT_TRUE(rules->exact);
  ASSERT_EQ(rules->rules.size(), 1u);
  EXPECT_EQ(rules->rules[0].find("HUGE"), std::string::npos) << rules->rules[0];
}

TEST(LlmRecordedRules, ThePromptSaysTheRulesInsteadOfTheBarePseudoConstraint) {
  Space space = make_space();
  space.restrict_to(recorded(space, [](long long bx, long long by) { return bx * by <= 128; }));
  KernelSpec spec;
  spec.constraint_names = {"in_recorded_space"};
  const std::string text = describe_space(spec, space);
  EXPECT_NE(text.find("- in_recorded_space: only the "), std::string::npos) << text;
  EXPECT_NE(text.find("`BX * BY <= 128`"), std::string::npos) << text;
  EXPECT_EQ(text.find("`in_recorded_space`"), std::string::npos) << text;
}

}  // namespace
}  // namespace tuna::llm
