// The LLM-guided search on a recording (the sim backend): the prompts show the kernel's real
// source and the recorded device's facts, and never a byte of the recording, which holds every
// measured time. Runs through tuna::tune with the real evaluator and an in-process client that
// records each request.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "backends/sim/sim_backend.hpp"
#include "store/recording_spec.hpp"
#include "search/registry.hpp"
#include "tuna/driver.hpp"
#include "tuna/errors.hpp"
#include "tuna/store.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

class RecordingClient : public llm::LlmClient {
 public:
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "script-1"; }
  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const llm::Message& m : request.messages) text_ += m.content + "\n";
    ++requests_;
    llm::LlmReply reply;
    reply.text = R"({"configs": [{"bx": 4, "mode": "b"}, {"bx": 2}]})";
    return reply;
  }
  std::string all_text() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }
  int requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
  int requests_ = 0;
};

class LlmSimPromptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tuna_llm_sim_prompt_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    source_ = dir_ / "small_kernel.cu";
    std::ofstream(source_) << "// SOURCE-MARKER: the real kernel\n__global__ void small_kernel() {}\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  TuneSummary tune_llm(const KernelSpec& spec, std::shared_ptr<RecordingClient> client,
                       const std::string& strategy = "llm") {
    search::GuidedSearchSettings settings;
    settings.llm.configs_per_round = 2;
    settings.llm.initial_random_configs = 2;
    settings.llm.max_rounds = 2;
    TuneOptions o;
    o.strategy = {strategy, 3};
    o.max_evals = 6;
    o.evaluator.exe = TUNA_BINARY;
    o.evaluator.cache_dir = dir_ / "cache";
    o.evaluator.compile_jobs = 1;
    o.search = search::make_guided_search(strategy, settings, client);
    Store store(dir_ / "tuna.db");
    TuneObserver quiet;
    return tune(spec, o, store, quiet);
  }

  fs::path dir_, source_;
};

// Strings only the recording holds: its keys, its timestamps, the recorded repetitions of
// configs the search never measured, and the file's name.
const char* const kRecordingOnly[] = {"compile_time", "benchmark_time", "tune_params_keys",
                                      "2024-01-01", "kt_small", "\"cache\""};

TEST_F(LlmSimPromptTest, NoRecordingByteReachesAPromptAndTheSourceAndDeviceDo) {
  for (const char* recording : {"kt_small.json", "kt_small.json.gz"}) {
    SCOPED_TRACE(recording);
    const fs::path rec = fs::path(TUNA_SOURCE_DIR) / "tests" / "data" / recording;
    KernelSpec spec = sim::spec_from_recording(rec, std::nullopt, source_);
    spec.recorded_device = DeviceInfo{.name = "Test GPU 9000"};
    spec.recorded_device->facts.set("sm_count", 12);
    auto client = std::make_shared<RecordingClient>();
    TuneSummary summary = tune_llm(spec, client);
    EXPECT_EQ(summary.device.name, "Test GPU 9000");
    ASSERT_GE(client->requests(), 1);
    const std::string text = client->all_text();
    EXPECT_NE(text.find("SOURCE-MARKER"), std::string::npos);
    EXPECT_NE(text.find("device.sm_count = 12"), std::string::npos);
    EXPECT_NE(text.find("Test GPU 9000"), std::string::npos);
    for (const char* only : kRecordingOnly) EXPECT_EQ(text.find(only), std::string::npos) << only;
  }
}

TEST_F(LlmSimPromptTest, WithoutASourceThePromptSaysSoAndShowsNoFile) {
  const fs::path rec = fs::path(TUNA_SOURCE_DIR) / "tests" / "data" / "kt_small.json";
  KernelSpec spec = sim::spec_from_recording(rec);
  auto client = std::make_shared<RecordingClient>();
  tune_llm(spec, client, "hybrid");
  const std::string text = client->all_text();
  EXPECT_NE(text.find("Not available: the kernel's source"), std::string::npos);
  for (const char* only : kRecordingOnly) EXPECT_EQ(text.find(only), std::string::npos) << only;
}

TEST_F(LlmSimPromptTest, ANonUtf8SourceIsAUserErrorBeforeAnythingIsMeasured) {
  const fs::path rec = fs::path(TUNA_SOURCE_DIR) / "tests" / "data" / "kt_small.json";
  // A recording given as the source by mistake: gzip bytes.
  KernelSpec spec = sim::spec_from_recording(
      rec, std::nullopt, fs::path(TUNA_SOURCE_DIR) / "tests" / "data" / "kt_small.json.gz");
  auto client = std::make_shared<RecordingClient>();
  try {
    tune_llm(spec, client);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("is not UTF-8 text"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("kt_small.json.gz"), std::string::npos) << e.what();
  }
  EXPECT_EQ(client->requests(), 0);
}

}  // namespace
}  // namespace tuna
