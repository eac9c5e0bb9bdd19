// The OpenCL examples tune on the default OpenCL device (PoCL on CI's CPU): a short run of each
// must measure every config it tries, all correct against the example's reference kernel. Skips
// only when this tuna has no OpenCL backend or no OpenCL device.
#include <regex>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

std::string opencl_unavailable(const TunaSandbox& box) {
  ProcessResult devices = box.run({"devices"});
  const auto at = devices.output.find("\nopencl");
  if (at == std::string::npos) return "this tuna was built without the OpenCL backend";
  const std::string line = devices.output.substr(at + 1, devices.output.find('\n', at + 1) - at);
  if (line.find("unavailable") != std::string::npos) return line;
  return {};
}

class OpenClExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenClExamples, AShortTuningRunMeasuresEveryConfigCorrect) {
  TunaSandbox box("opencl-example-" + GetParam());
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  const std::string spec = source_path("examples/opencl/" + GetParam() + "/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--max-evals", "6", "--timing-budget", "5",
                               "--shootout-rounds", "1"},
                              /*timeout_s=*/400);
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  EXPECT_NE(run.output.find("configs: 6 (6 measured, 0 reused from the store): 6 ok"),
            std::string::npos)
      << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_EQ(results.size(), 6u);
  for (const Result& r : results) {
    EXPECT_TRUE(r.ok()) << r.key << ": " << r.error_class << ": " << r.message;
    EXPECT_GT(r.median_ms, 0) << r.key;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, OpenClExamples,
                         ::testing::Values("gemm", "conv2d", "reduction"));

}  // namespace

namespace {

TEST(OpenClDeviceFlags, TheDeviceFlagReachesTheChildProcesses) {
  TunaSandbox box("opencl-device-flag");
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  const std::string spec = source_path("examples/opencl/reduction/spec.toml");
  // A device that does not exist: the bench worker, which reads the flag through the
  // environment tuna gives it, refuses with a message naming the choice.
  ProcessResult missing = box.run({"run", spec, "--opencl-device", "no-such-device-xyz"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("no-such-device-xyz"), std::string::npos) << missing.output;
  // The first device by index works.
  ProcessResult first = box.run({"run", spec, "--opencl-device", "0", "--timing-budget", "5"});
  EXPECT_TRUE(first.ok()) << first.output;
}

}  // namespace
