// Moves of the best config that a constraint rules out alone, offered with the smallest change
// of other parameters that makes them valid (feedback_coupled_moves.cpp).
#include <gtest/gtest.h>

#include "llm/feedback.hpp"
#include "support/int_values.hpp"
#include "support/measured_result.hpp"
#include "tuna/space.hpp"

namespace tuna::llm {
namespace {

using testing::ints;

// The shape of CLBlast's GEMM: a work-group tile MWG split over MDIMC threads, each loading
// vectors of VWM, so MWG must divide by MDIMC * VWM.
class LlmConstrainedMoves : public ::testing::Test {
 protected:
  static Space make(std::vector<std::string> rules) {
    std::vector<Parameter> p;
    p.push_back(Parameter::list("MWG", ints({32, 64, 128}), 32));
    p.push_back(Parameter::list("MDIMC", ints({8, 16, 32}), 8));
    p.push_back(Parameter::list("VWM", ints({1, 2, 4, 8}), 1));
    p.push_back(Parameter::list("SHMEM", ints({0, 1}), 0));
    std::vector<Constraint> constraints;
    for (const auto& r : rules) constraints.push_back(Constraint{Expr::parse(r), "test"});
    return Space(std::move(p), std::move(constraints));
  }
  Result ok(std::string_view sparse, double ms) { return testing::measured_ok(space, sparse, ms); }
  std::string moves() const {
    return constrained_moves(FeedbackInputs{space, space.default_config(), results}, anchor, 6);
  }
  // Every parameter's values timed apart: none of them reads as flat.
  void measure_around_the_anchor() {
    results = {ok("MWG=128,MDIMC=32,VWM=4", 1.0), ok("MWG=128,MDIMC=32,VWM=2", 1.3),
               ok("MWG=64,MDIMC=16,VWM=4", 1.5), ok("MWG=32,MDIMC=8,VWM=2", 2.0),
               ok("MWG=128,MDIMC=16,VWM=1", 1.8), ok("MWG=128,MDIMC=32,VWM=4,SHMEM=1", 1.2)};
  }

  Space space = make({"MWG % (MDIMC * VWM) == 0"});
  Config anchor = space.parse_key("MWG=128,MDIMC=32,VWM=4");
  std::vector<Result> results;
};

TEST_F(LlmConstrainedMoves, AMoveTheRuleForbidsAloneComesWithTheCheapestRepair) {
  measure_around_the_anchor();
  const std::string s = moves();
  // VWM 4 -> 8 needs 256 | 128; halving MDIMC (one step) repairs it.
  EXPECT_NE(s.find("- VWM 4 -> 8 with MDIMC 32 -> 16 (alone it breaks MWG % (MDIMC * VWM) == 0)"),
                   std::string::npos)
      << s;
  // MWG 128 -> 64 with MDIMC 32 -> 16 was measured: halving VWM repairs it as cheaply.
  EXPECT_NE(s.find("- MWG 128 -> 64 with VWM 4 -> 2 ("), std::string::npos) << s;
  // Moves valid alone are the one-parameter suggestions' job.
  EXPECT_EQ(s.find("- VWM 4 -> 2"), std::string::npos) << s;
  EXPECT_EQ(s.find("- MDIMC 32 -> 16 with"), std::string::npos) << s;
}

TEST_F(LlmConstrainedMoves, AMeasuredRepairGivesWayToTheNextCheapest) {
  measure_around_the_anchor();
  results.push_back(ok("MWG=128,MDIMC=16,VWM=8", 1.1));
  const std::string s = moves();
  EXPECT_NE(s.find("- VWM 4 -> 8 with MDIMC 32 -> 8 ("), std::string::npos) << s;
}

TEST_F(LlmConstrainedMoves, TwoParametersRepairWhenOneCannot) {
  space = make({"MWG % (MDIMC * VWM) == 0", "MDIMC * VWM >= 64"});
  anchor = space.parse_key("MWG=128,MDIMC=32,VWM=4");
  measure_around_the_anchor();
  results.push_back(ok("MWG=64,MDIMC=32,VWM=2", 1.4));
  const std::string s = moves();
  // MWG 64 breaks the first rule; the two one-parameter repairs (MDIMC 16, VWM 2) were measured
  // and every other one breaks a rule: MDIMC down and VWM up together.
  EXPECT_NE(s.find("- MWG 128 -> 64 with MDIMC 32 -> 8 and VWM 4 -> 8 ("), std::string::npos)
      << s;
}

TEST_F(LlmConstrainedMoves, ASwitchIsNeverFlippedToMakeAMoveValid) {
  space = make({"SHMEM == 1 or VWM <= 4"});
  anchor = space.parse_key("MWG=128,MDIMC=32,VWM=4");
  measure_around_the_anchor();
  // VWM 4 -> 8 is valid only with SHMEM on: a change of family, not of tiling.
  EXPECT_EQ(moves(), "");
}

TEST_F(LlmConstrainedMoves, AParameterThatTimedFlatIsNotOffered) {
  results = {ok("MWG=128,MDIMC=32,VWM=4", 1.0), ok("MWG=128,MDIMC=32,VWM=2", 1.0),
             ok("MWG=128,MDIMC=32,VWM=1", 1.0), ok("MWG=64,MDIMC=16,VWM=4", 1.5),
             ok("MWG=32,MDIMC=8,VWM=2", 2.0)};
  const std::string s = moves();
  EXPECT_EQ(s.find("- VWM "), std::string::npos) << s;
  EXPECT_NE(s.find("- MWG 128 -> 64 with"), std::string::npos) << s;
}

TEST_F(LlmConstrainedMoves, NothingWithoutConstraints) {
  space = make({});
  anchor = space.parse_key("MWG=128,MDIMC=32,VWM=4");
  measure_around_the_anchor();
  EXPECT_EQ(moves(), "");
}

}  // namespace
}  // namespace tuna::llm
