// Several devices on one host (--devices): one bench worker per device fed by one compile pool.
// On the host backend each "device" is a bench worker of its own, which is enough to check the
// dispatch: every config measured once, on one of the devices, failures recorded as on one
// device, and re-timings (the final shootout) all on the first device.
#include <set>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "fault_expectations.hpp"

using namespace tuna;
using namespace tuna::testing;

class TwoWorkersInEitherOrder : public ::testing::TestWithParam<std::string> {};

TEST_P(TwoWorkersInEitherOrder, EveryFaultIsRecordedAndBothDevicesMeasure) {
  TunaSandbox box("two-workers-" + GetParam());
  std::string spec = source_path("tests/faults/host/spec.toml");
  ProcessResult run = box.run({"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                               "--run-timeout", "2", "--timing-budget", "20", "--devices", "0,1",
                               "--overlap-compile", GetParam(), "--finalists-within", "1000",
                               "--json", "-q"});
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  expect_every_fault_recorded(results);

  std::set<std::string> measured_on;
  for (const Result& r : results) {
    if (r.status == Status::Ok || r.status == Status::WrongResult ||
        r.status == Status::RuntimeError) {
      EXPECT_TRUE(r.device == "host:0" || r.device == "host:1") << r.key << ": " << r.device;
      measured_on.insert(r.device);
    }
  }
  EXPECT_EQ(measured_on.size(), 2u) << "one of the two workers measured nothing";
  // The finalists' shootout re-times every finalist on the first device, so they compare. Every
  // correct config is a finalist (--finalists-within), so there are several whatever the noise.
  nlohmann::json doc = nlohmann::json::parse(run.output.substr(run.output.find('{')));
  ASSERT_TRUE(doc.contains("finalists")) << doc.dump(2);
  ASSERT_GE(doc["finalists"].size(), 2u) << doc.dump(2);
  for (const auto& finalist : doc["finalists"]) EXPECT_EQ(finalist["device"], "host:0");
}

INSTANTIATE_TEST_SUITE_P(Order, TwoWorkersInEitherOrder, ::testing::Values("off", "on"));

TEST(MultiDevice, ADeviceNamedTwiceIsRefusedWithTheFix) {
  TunaSandbox box("devices-twice");
  ProcessResult run = box.run({"tune", source_path("tests/faults/host/spec.toml"), "--devices",
                               "0,1,0", "--max-evals", "2"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("device '0' is named twice"), std::string::npos) << run.output;
}

TEST(MultiDevice, DevicesAndASingleDeviceFlagAreNotMixed) {
  TunaSandbox box("devices-and-cuda-device");
  ProcessResult run = box.run({"tune", source_path("tests/faults/host/spec.toml"), "--devices",
                               "0,1", "--cuda-device", "1", "--max-evals", "2"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("leave out --cuda-device"), std::string::npos) << run.output;
}
