// Lookahead: the driver asks the strategy for more while a batch's last configs still run. The
// evaluation budget must hold exactly (configs in flight count against it), no config may be
// measured twice, and the search must still end when the space is exhausted. On the simulation
// backend, so that it is fast and deterministic.
#include <regex>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

std::string import_small_space(const TunaSandbox& box) {
  const std::string spec = (box.dir() / "sim.toml").string();
  ProcessResult imported =
      box.run({"import", source_path("tests/data/kt_small.json"), "--write-spec", spec});
  EXPECT_TRUE(imported.ok()) << imported.output;
  return spec;
}

int considered(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("configs: (\\d+) \\((\\d+) measured"))) return -1;
  return std::stoi(m[1]);
}

}  // namespace

TEST(Lookahead, TheEvaluationBudgetHoldsWithConfigsInFlight) {
  TunaSandbox box("lookahead-budget");
  const std::string spec = import_small_space(box);
  for (const char* strategy : {"random", "surrogate", "exhaustive"}) {
    // One config per proposal and two compile jobs: a second config is always asked for while
    // the first is in flight.
    ProcessResult run = box.run({"tune", spec, "--strategy", strategy, "-n", "4", "--batch", "1",
                                 "-j", "2", "--fresh"});
    ASSERT_TRUE(run.ok()) << run.output;
    EXPECT_EQ(considered(run.output), 4) << strategy << "\n" << run.output;
    EXPECT_NE(run.output.find("evaluation budget reached (4)"), std::string::npos) << run.output;
  }
}

TEST(Lookahead, EveryConfigIsMeasuredOnceAndTheSearchEndsWhenTheSpaceIs) {
  TunaSandbox box("lookahead-exhaust");
  const std::string spec = import_small_space(box);
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "-n", "0", "--batch",
                               "1", "-j", "2", "--fresh"});
  ASSERT_TRUE(run.ok()) << run.output;
  // Six measured, none twice: a repeat would be a seventh (considered counts every result).
  EXPECT_NE(run.output.find("configs: 6 (6 measured, 0 reused"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("space exhausted"), std::string::npos) << run.output;
}

TEST(Lookahead, SyncBatchesMeasuresTheSameConfigsForAnExhaustiveSearch) {
  TunaSandbox box("lookahead-sync");
  const std::string spec = import_small_space(box);
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "-n", "0",
                               "--sync-batches", "--fresh"});
  ASSERT_TRUE(run.ok()) << run.output;
  EXPECT_EQ(considered(run.output), 6) << run.output;
}
