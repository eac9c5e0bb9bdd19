// Sim specs keep the recording (what is replayed) apart from the kernel's source (what the LLM
// reads), and may state the recorded device's facts in a [device] table that tuna import fills
// in for GPUs it knows by name.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/known_devices.hpp"
#include "backends/sim/sim_backend.hpp"
#include "store/recording_spec.hpp"
#include "llm/kernel_source.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(TUNA_SOURCE_DIR) / "tests" / "data";

class SimSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tuna_sim_spec_" + std::string(::testing::UnitTest::GetInstance()
                                               ->current_test_info()
                                               ->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy_file(kData / "kt_small.json", dir_ / "rec.json");
    write("kernel.cu", "__global__ void small_kernel() {}\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  KernelSpec parse(const std::string& text) { return parse_spec(text, dir_ / "spec.toml"); }
  std::string error_of(const std::string& text) {
    try {
      parse(text);
    } catch (const UserError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return {};
  }

  static std::string spec_text(const std::string& kernel_keys, const std::string& tail = {}) {
    return "[kernel]\nname = \"small\"\nbackend = \"sim\"\nentry = \"small_kernel\"\n" +
           kernel_keys +
           "\n[params]\nbx = { values = [1, 2, 4], default = 1 }\n"
           "mode = { values = [\"a\", \"b\"], default = \"a\" }\n"
           "\n[check]\nreference = \"none\"\n" +
           tail;
  }

  fs::path dir_;
};

TEST_F(SimSpecTest, RecordingAndSourceAreApartAndRoundTrip) {
  KernelSpec spec = parse(spec_text("recording = \"rec.json\"\nsource = \"kernel.cu\"\n",
                                    "\n[device]\nname = \"Test GPU 9000\"\nsm_count = 12\n"
                                    "memory_bandwidth_gbps = 512.5\nvendor = \"NVIDIA\"\n"));
  EXPECT_EQ(spec.recording, dir_ / "rec.json");
  EXPECT_EQ(spec.source, dir_ / "kernel.cu");
  ASSERT_TRUE(spec.recorded_device.has_value());
  EXPECT_EQ(spec.recorded_device->name, "Test GPU 9000");
  EXPECT_EQ(spec.recorded_device->facts.find("sm_count")->as_int(), 12);
  EXPECT_DOUBLE_EQ(spec.recorded_device->facts.find("memory_bandwidth_gbps")->as_double(), 512.5);

  KernelSpec again = parse_spec(spec_to_toml(spec), dir_ / "spec.toml");
  EXPECT_EQ(spec_to_toml(again), spec_to_toml(spec));
  EXPECT_EQ(again.recording, spec.recording);
  EXPECT_TRUE(again.recorded_device->facts.find("memory_bandwidth_gbps")->is_float());
}

TEST_F(SimSpecTest, TheSourceIsOptionalOnSim) {
  KernelSpec spec = parse(spec_text("recording = \"rec.json\"\n"));
  EXPECT_TRUE(spec.source.empty());
  EXPECT_EQ(llm::read_kernel_source(spec), "");
  EXPECT_FALSE(spec.content_hash().empty());  // hashes the recording
}

TEST_F(SimSpecTest, AnOldSpecWithTheRecordingAsSourceSaysHowToMoveIt) {
  const std::string message = error_of(spec_text("source = \"rec.json\"\n"));
  EXPECT_NE(message.find("kernel.recording"), std::string::npos) << message;
  EXPECT_NE(message.find("rename source to recording"), std::string::npos) << message;
}

TEST_F(SimSpecTest, DeviceTableMistakesNameTheKey) {
  std::string message = error_of(spec_text("recording = \"rec.json\"\n",
                                           "\n[device]\nname = \"X\"\nsm_cuont = 3\n"));
  EXPECT_NE(message.find("device.sm_cuont"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'sm_count'"), std::string::npos) << message;
  message = error_of(spec_text("recording = \"rec.json\"\n", "\n[device]\nsm_count = 3\n"));
  EXPECT_NE(message.find("device.name"), std::string::npos) << message;
  message = error_of(spec_text("recording = \"rec.json\"\n",
                               "\n[device]\nname = \"X\"\nl2_bytes = \"big\"\n"));
  EXPECT_NE(message.find("device.l2_bytes"), std::string::npos) << message;
}

TEST_F(SimSpecTest, DeviceTableOnlyOnSim) {
  std::string text = spec_text("recording = \"rec.json\"\n", "\n[device]\nname = \"X\"\n");
  text.replace(text.find("backend = \"sim\""), 15, "backend = \"cuda\"");
  text.replace(text.find("recording = \"rec.json\""), 22, "source = \"kernel.cu\"");
  const std::string message = error_of(text);
  EXPECT_NE(message.find("[device] table states a recorded device"), std::string::npos) << message;
}

TEST_F(SimSpecTest, ConstraintsReadTheRecordedDevice) {
  KernelSpec spec = parse(spec_text("recording = \"rec.json\"\n",
                                    "\n[device]\nname = \"Test GPU 9000\"\nsm_count = 2\n"));
  spec.constraints.push_back({Expr::parse("bx <= device.sm_count"), "test"});
  DeviceInfo generic;
  generic.backend = "sim";
  generic.name = "recorded device (simulation)";
  const DeviceInfo seen = device_for_spec(spec, generic);
  EXPECT_EQ(seen.name, "Test GPU 9000");
  EXPECT_EQ(seen.id, "sim:Test GPU 9000");
  Space space = spec.make_space(seen);
  EXPECT_EQ(space.size().count, 4.0);  // bx in {1, 2} x mode in {a, b}
}

TEST_F(SimSpecTest, WrittenSpecsCarryTheSourceAndTheKnownDevice) {
  KernelSpec spec = sim::spec_from_recording(dir_ / "rec.json", std::nullopt, dir_ / "kernel.cu");
  EXPECT_EQ(spec.source, dir_ / "kernel.cu");
  EXPECT_EQ(spec.recording, dir_ / "rec.json");
  ASSERT_TRUE(spec.recorded_device.has_value());
  EXPECT_EQ(spec.recorded_device->name, "Test GPU 9000");  // not a GPU tuna knows: name only
  EXPECT_TRUE(spec.recorded_device->facts.values().empty());
  KernelSpec again = parse_spec(spec_to_toml(spec), dir_ / "written.toml");
  EXPECT_EQ(again.recording, spec.recording);
}

TEST_F(SimSpecTest, AWrittenSpecStatesTheRulesThatReproduceTheRecording) {
  // A Kernel Tuner cache that kept only the configs with 2 <= bx * by <= 8, as a restriction
  // the cache does not record would have it.
  std::string cache;
  for (int bx : {1, 2, 4, 8})
    for (int by : {1, 2, 4})
      if (bx * by >= 2 && bx * by <= 8)
        cache += fmt::format("{}\"{},{}\": {{\"bx\": {}, \"by\": {}, \"time\": {}}}",
                             cache.empty() ? "" : ",\n", bx, by, bx, by, 1.0 + bx + by);
  write("rules.json",
        "{\"device_name\": \"Test GPU 9000\", \"kernel_name\": \"k\", \"tune_params_keys\": "
        "[\"bx\", \"by\"], \"tune_params\": {\"bx\": [1, 2, 4, 8], \"by\": [1, 2, 4]}, "
        "\"objective\": \"time\", \"cache\": {" + cache + "}}");
  const KernelSpec spec = sim::spec_from_recording(dir_ / "rules.json", std::nullopt, std::nullopt);
  ASSERT_EQ(spec.constraints.size(), 2u);
  EXPECT_EQ(spec.constraint_name(0), "recorded_rule_1");
  EXPECT_EQ(spec.constraints[0].expr.text(), "bx * by >= 2");
  EXPECT_EQ(spec.constraints[1].expr.text(), "bx * by <= 8");
  // Written and read back, the rules are the spec's constraints and define the same space.
  const KernelSpec again = parse_spec(spec_to_toml(spec), dir_ / "written.toml");
  ASSERT_EQ(again.constraints.size(), 2u);
  EXPECT_EQ(again.constraint_name(1), "recorded_rule_2");
  EXPECT_EQ(again.make_space(DeviceInfo{}).size().count, 8);
  EXPECT_EQ(sim::recorded_rules_of(again), (std::vector<std::string>{"bx * by >= 2", "bx * by <= 8"}));
}

TEST(KnownDevicesTest, EveryGpuOfTheSharedDatasetsIsKnown) {
  struct Case {
    const char* name;
    const char* fact;
    std::int64_t value;
  };
  const Case cases[] = {
      {"NVIDIA A100-PCIE-40GB", "sm_count", 108},
      {"NVIDIA RTX A4000", "sm_count", 48},
      {"NVIDIA RTX A6000", "sm_count", 84},
      {"NVIDIA GeForce RTX 3090", "sm_count", 82},
      {"NVIDIA GeForce RTX 2080 Ti", "sm_count", 68},
      {"NVIDIA H100 80GB HBM3", "sm_count", 132},
      {"NVIDIA H100 PCIe", "sm_count", 114},
      {"NVIDIA H200", "sm_count", 132},
      {"AMD Instinct MI250X", "compute_units", 110},
      {"AMD Instinct MI300X", "compute_units", 304},
      {"AMD Radeon PRO W6600", "compute_units", 28},
      {"AMD Radeon PRO W7800", "compute_units", 70},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto device = sim::known_recorded_device(c.name);
    ASSERT_TRUE(device.has_value());
    EXPECT_EQ(device->name, c.name);
    ASSERT_NE(device->facts.find(c.fact), nullptr);
    EXPECT_EQ(device->facts.find(c.fact)->as_int(), c.value);
    EXPECT_NE(device->facts.find("memory_bandwidth_gbps"), nullptr);
    EXPECT_NE(device->facts.find("l2_bytes"), nullptr);
  }
  EXPECT_EQ(sim::known_recorded_device("NVIDIA A100-PCIE-40GB")->facts.find("l2_bytes")->as_int(),
            40 * 1024 * 1024);
  EXPECT_FALSE(sim::known_recorded_device("NVIDIA GeForce RTX 3090 Ti").has_value());
  EXPECT_FALSE(sim::known_recorded_device("Test GPU 9000").has_value());
}

TEST(KernelSourceTest, InvalidUtf8IsFoundAtItsByte) {
  EXPECT_EQ(llm::first_invalid_utf8("plain text, caf\xC3\xA9"), std::string_view::npos);
  EXPECT_EQ(llm::first_invalid_utf8("ab\x8B" "cd"), 2u);      // a lone continuation byte
  EXPECT_EQ(llm::first_invalid_utf8("\x1F\x8B\x08\x00"), 1u);  // the start of a gzip file
  EXPECT_EQ(llm::first_invalid_utf8("x\xE2\x82"), 1u);         // cut short
  EXPECT_EQ(llm::first_invalid_utf8("\xC0\xAF"), 0u);          // overlong
  EXPECT_EQ(llm::first_invalid_utf8("\xED\xA0\x80"), 0u);      // a surrogate
}

TEST_F(SimSpecTest, ANonUtf8SourceIsAUserErrorNamingTheFile) {
  fs::copy_file(kData / "kt_small.json.gz", dir_ / "rec.json.gz");
  KernelSpec spec = parse(spec_text("recording = \"rec.json\"\nsource = \"rec.json.gz\"\n"));
  try {
    llm::read_kernel_source(spec);
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("rec.json.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("is not UTF-8 text"), std::string::npos) << message;
    EXPECT_NE(message.find("kernel.recording"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace tuna
