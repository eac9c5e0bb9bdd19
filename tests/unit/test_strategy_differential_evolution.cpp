// The differential_evolution strategy on synthetic spaces with a known optimum.
#include "test_strategy_support.hpp"

using namespace tuna;
using namespace tuna::test;

TEST(DifferentialEvolution, KeepsTheContractOfEveryStrategy) { check_common_contract("differential_evolution"); }

TEST(DifferentialEvolution, FindsTheOptimumFarBelowTheSpaceSize) {
  // About 20,600 valid configs; 200 evaluations is about 1 % of them.
  Success s = success_rate("differential_evolution", 200, 10);
  EXPECT_GE(s.found, 8) << "mean score " << s.mean_score;
  EXPECT_GE(s.mean_score, 0.97);
}

TEST(DifferentialEvolution, FindsTheOptimumWithSixteenConfigsAlwaysInFlight) {
  // As a tuning run with lookahead asks: every proposal is made with 16 results still pending.
  Success s = success_rate("differential_evolution", 200, 10, 1, 16);
  EXPECT_GE(s.found, 7) << "mean score " << s.mean_score;
  EXPECT_GE(s.mean_score, 0.97);
}
