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
  // `tuna show` names the device of each result once several measured (the finalists were all
  // re-timed on host:0; some failures happened on host:1).
  ProcessResult shown = box.run({"show", spec, "--failures"});
  ASSERT_TRUE(shown.ok()) << shown.output;
  EXPECT_NE(shown.output.find("status          device  config"), std::string::npos)
      << shown.output;
  EXPECT_NE(shown.output.find("host:1  MODE="), std::string::npos) << shown.output;
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

// PoCL can show one CPU as several OpenCL devices (POCL_DEVICES): two of one driver are two
// devices of one model; a "pthread" and a "basic" one are two models.
namespace {

ProcessResult run_with_pocl_devices(const TunaSandbox& box, const std::string& pocl_devices,
                                    const std::vector<std::string>& args) {
  RunProcessOptions options;
  options.timeout_s = 300;
  options.extra_env = box.env();
  options.extra_env.emplace_back("POCL_DEVICES", pocl_devices);
  return run_process(box.argv(args), options);
}

std::string opencl_unavailable(const TunaSandbox& box) {
  ProcessResult probe = run_with_pocl_devices(box, "pthread", {"devices"});
  if (probe.output.find("opencl   unavailable") != std::string::npos ||
      probe.output.find("opencl") == std::string::npos) {
    return "no OpenCL here:\n" + probe.output;
  }
  if (probe.output.find("pthread") == std::string::npos) return "OpenCL here is not PoCL";
  return {};
}

const std::string kReduction = "examples/opencl/reduction/spec.toml";

}  // namespace

TEST(MultiDeviceOpenCl, AllDevicesOfOneModelShareTheWork) {
  TunaSandbox box("ocl-two-devices");
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  // A device takes configs as soon as its worker is up, so a second worker that starts late on a
  // loaded host can find the work done: with 10 configs (0.7 s in all) that happened in CI, the
  // second device running only in the final shootout. 60 configs give it seconds to start.
  ProcessResult run = run_with_pocl_devices(
      box, "pthread pthread",
      {"tune", source_path(kReduction), "--devices", "all", "--max-evals", "60",
       "--timing-budget", "5", "-j", "2", "--strategy", "random"});
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  std::set<std::string> devices;
  for (const Result& r : stored_results(box.db(), source_path(kReduction))) {
    EXPECT_NE(r.status, Status::WrongResult) << r.key << " on " << r.device;
    if (r.status == Status::Ok) devices.insert(r.device);
  }
  EXPECT_EQ(devices, (std::set<std::string>{"opencl:0", "opencl:1"})) << run.output;
  EXPECT_NE(run.output.find("devices: opencl:0 "), std::string::npos) << run.output;
}

TEST(MultiDeviceOpenCl, DevicesOfTwoModelsAreRefusedWithTheList) {
  TunaSandbox box("ocl-mixed-refused");
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  ProcessResult run = run_with_pocl_devices(
      box, "pthread basic",
      {"tune", source_path(kReduction), "--devices", "all", "--max-evals", "4"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("2 different models"), std::string::npos) << run.output;
  // One line per model, naming its devices (PoCL lists "basic" first, whatever the order given).
  EXPECT_NE(run.output.find("opencl:0: basic-"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("opencl:1: pthread-"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("--mixed-devices"), std::string::npos) << run.output;
}

TEST(MultiDeviceOpenCl, MixedDevicesGetOneSearchPerModelWithResultsKeptApart) {
  TunaSandbox box("ocl-mixed");
  if (std::string why = opencl_unavailable(box); !why.empty()) GTEST_SKIP() << why;
  ProcessResult run = run_with_pocl_devices(
      box, "pthread basic",
      {"tune", source_path(kReduction), "--devices", "all", "--mixed-devices", "--max-evals",
       "4", "--timing-budget", "5", "-j", "2", "--json", "-q"});
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  nlohmann::json doc = nlohmann::json::parse(run.output.substr(run.output.find('{')));
  ASSERT_TRUE(doc.contains("models")) << doc.dump(2);
  ASSERT_EQ(doc["models"].size(), 2u);
  std::set<std::string> names;
  for (const auto& model : doc["models"]) {
    names.insert(model["device"]["name"].get<std::string>());
    EXPECT_EQ(model["measured"], 4) << model.dump(2);
  }
  EXPECT_EQ(names.size(), 2u);
  // Each model's results in its own context of the store.
  Store store(box.db());
  KernelSpec spec = load_spec(source_path(kReduction));
  std::set<std::string> stored_devices;
  for (const StoreContext& c : store.contexts(spec.name)) stored_devices.insert(c.device_name);
  EXPECT_EQ(stored_devices, names);
}
