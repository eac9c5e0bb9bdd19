// Space::restrict_to: every query of the Space honours the allowed list, and nothing else
// changes.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "tuna/space.hpp"
#include "support/int_values.hpp"

namespace tuna {
namespace {

using testing::ints;

// 4 x 4 grid with the constraint a <= b (10 valid), restricted to 4 of them plus one config
// that breaks the constraint (which must stay invalid).
Space restricted_space() {
  Space s(
      {Parameter::list("a", ints({1, 2, 3, 4}), 1), Parameter::list("b", ints({1, 2, 3, 4}), 1)},
      {Constraint{Expr::parse("a <= b"), "test"}});
  s.restrict_to({Config({1, 1}), Config({1, 4}), Config({2, 3}), Config({4, 4}), Config({3, 1})});
  return s;
}

TEST(SpaceRestrict, ValidityAndViolations) {
  Space s = restricted_space();
  EXPECT_TRUE(s.restricted());
  EXPECT_TRUE(s.is_valid(Config({1, 4})));
  EXPECT_FALSE(s.is_valid(Config({1, 2})));  // satisfies a <= b, but not in the list
  EXPECT_FALSE(s.is_valid(Config({3, 1})));  // in the list, but breaks a <= b
  ASSERT_EQ(s.constraints().size(), 2u);
  auto v = s.violations(Config({1, 2}));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(s.constraints()[v[0]].expr.text(), "in_recorded_space");
  EXPECT_NE(s.constraints()[v[0]].origin.find("recorded space"), std::string::npos);
  EXPECT_TRUE(s.violations(Config({2, 3})).empty());
}

TEST(SpaceRestrict, EnumerateAndSizeAreExact) {
  Space s = restricted_space();
  EXPECT_EQ(s.size().count, 4);
  EXPECT_TRUE(s.size().exact);
  std::vector<std::string> keys;
  for (const auto& c : s.enumerate_all()) keys.push_back(s.key(c));
  EXPECT_EQ(keys, (std::vector<std::string>{"a=1,b=1", "a=1,b=4", "a=2,b=3", "a=4,b=4"}));
}

TEST(SpaceRestrict, RandomValidIsUniformOverTheList) {
  Space s = restricted_space();
  std::mt19937_64 rng(7);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4000; ++i) ++counts[s.key(s.random_valid(rng))];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [key, n] : counts) EXPECT_NEAR(n, 1000, 150) << key;
  for (auto method : {SamplingMethod::Probe, SamplingMethod::Backtrack})
    EXPECT_TRUE(s.is_valid(s.random_valid(rng, method)));
}

TEST(SpaceRestrict, NeighboursAndRepairStayInTheList) {
  Space s = restricted_space();
  for (const auto& n : s.neighbours(Config({1, 4}), 2)) EXPECT_TRUE(s.is_valid(n)) << s.key(n);
  auto fixed = s.repair(Config({2, 2}));
  ASSERT_TRUE(fixed.has_value());
  EXPECT_TRUE(s.is_valid(*fixed));
}

TEST(SpaceRestrict, RestrictingAgainIntersectsAndCopiesShareNothingMutable) {
  Space s = restricted_space();
  Space before = s;
  s.restrict_to({Config({1, 4}), Config({2, 3}), Config({1, 2})});
  EXPECT_EQ(s.size().count, 2);
  EXPECT_EQ(s.constraints().size(), 2u);  // one pseudo-constraint, not two
  EXPECT_EQ(before.size().count, 4);
  Space plain({Parameter::list("a", ints({1, 2}), 1)}, {});
  EXPECT_FALSE(plain.restricted());
  EXPECT_EQ(plain.size().count, 2);
}

}  // namespace
}  // namespace tuna
