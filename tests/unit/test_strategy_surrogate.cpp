// The surrogate strategy on synthetic spaces with a known optimum.
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
