// How a cluster rank sizes its compile pool, and when it warns about mpirun's core binding.
#include <gtest/gtest.h>

#include "cluster/rank_share.hpp"

using tuna::cluster::binding_warning;
using tuna::cluster::default_compile_jobs;
using tuna::cluster::RankShare;

TEST(RankShare, UnboundRanksOnOneHostSplitItsCores) {
  EXPECT_EQ(default_compile_jobs({.local_ranks = 2, .usable = 32, .machine = 32}), 16);
  EXPECT_EQ(default_compile_jobs({.local_ranks = 1, .usable = 32, .machine = 32}), 32);
  EXPECT_EQ(default_compile_jobs({.local_ranks = 64, .usable = 32, .machine = 32}), 1);
}

TEST(RankShare, ABoundRankUsesWhatItWasGiven) {
  // Bound to one socket of 16 cores: that is already this rank's share.
  EXPECT_EQ(default_compile_jobs({.local_ranks = 2, .usable = 16, .machine = 32}), 16);
}

TEST(RankShare, BindingToOneCoreIsWarnedAboutWithTheFix) {
  auto warning = binding_warning({.local_ranks = 2, .usable = 1, .machine = 32}, 1, "node7");
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("rank 1 on node7"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("--bind-to none"), std::string::npos) << *warning;
}

TEST(RankShare, AFairShareIsNotWarnedAbout) {
  EXPECT_FALSE(binding_warning({.local_ranks = 2, .usable = 16, .machine = 32}, 0, "a"));
  EXPECT_FALSE(binding_warning({.local_ranks = 1, .usable = 32, .machine = 32}, 0, "a"));
  EXPECT_FALSE(binding_warning({.local_ranks = 2, .usable = 1, .machine = 2}, 0, "a"));
}
