// The LLM searches keep the devices busy while the model thinks (fill_while_waiting): a
// model-free search's proposals are measured during each request, and the next prompt shows
// them. Run on the modelled evaluator of `tuna compare --pipeline`, where a reply arrives when
// the run's modelled clock has passed the latency it reports, so the runs are deterministic.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "search/hybrid.hpp"
#include "search/llm_guided.hpp"
#include "search/replay_run.hpp"
#include "store/recording_spec.hpp"
#include "test_strategy_support.hpp"

using namespace tuna;
using namespace tuna::search;

namespace {

// A model that thinks for 5 s (as its replies report) and proposes two configs per call, new
// ones each time; it keeps every request.
class SlowModel : public llm::LlmClient {
 public:
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "slow-1"; }
  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard lock(mutex_);
    const int call = static_cast<int>(requests_.size());
    requests_.push_back(request.messages.back().content);
    llm::LlmReply reply;
    reply.text = R"({"configs": [{"A": 16, "B": 8, "C": )" + std::to_string(1 + call) +
                 R"(, "F": 5}, {"A": 8, "B": 8, "C": )" + std::to_string(1 + call) + "}]}";
    reply.latency_s = 5.0;
    return reply;
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

LlmGuidedOptions three_rounds(bool fill) {
  LlmGuidedOptions o;
  o.configs_per_round = 2;
  o.initial_random_configs = 2;
  o.max_rounds = 3;
  o.min_improvement = -1;  // never stagnant: every run makes its three calls
  o.fill_while_waiting = fill;
  return o;
}

struct Outcome {
  RunTrace trace;
  std::vector<std::string> prompts;
};

// One run on the modelled evaluator (4 compile jobs, 1 device), within 150 evaluations or, with
// `seconds`, within that much modelled time and no limit on evaluations.
Outcome run(const std::function<std::shared_ptr<Search>(std::shared_ptr<SlowModel>)>& make,
            double seconds = 0) {
  static const sim::RecordedSpace rec = test::synthetic_recording();
  const ReplaySpace space = prepare_replay_space(rec, sim::spec_from_recorded_space(rec));
  auto model = std::make_shared<SlowModel>();
  ReplayRunSettings settings;
  settings.max_evals = seconds > 0 ? 0 : 150;
  settings.time_budget_s = seconds;
  settings.batch_size = 5;
  settings.guided = true;
  settings.pipeline = PipelineShape{4, 1};
  Outcome out;
  out.trace = run_search_on_recording(space, {rec.name, "llm", 3},
                                      [&](const auto&) { return make(model); }, settings);
  out.prompts = model->requests();
  return out;
}

// "(all N were measured; ...)" in a refinement prompt: how many results it shows.
int results_shown(const std::string& prompt) {
  std::smatch m;
  if (!std::regex_search(prompt, m, std::regex(R"(\(all (\d+) were measured)"))) return -1;
  return std::stoi(m[1]);
}

bool logged(const RunTrace& t, const std::string& text) {
  for (const std::string& line : t.guided->log)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(LlmFill, TheDevicesMeasureTheSurrogatesConfigsWhileTheModelThinks) {
  auto llm = [](bool fill) {
    return [fill](std::shared_ptr<SlowModel> model) -> std::shared_ptr<Search> {
      return std::make_shared<LlmGuidedSearch>(three_rounds(fill), model);
    };
  };
  Outcome waiting = run(llm(false));
  Outcome filled = run(llm(true));
  ASSERT_EQ(waiting.prompts.size(), 3u);
  ASSERT_EQ(filled.prompts.size(), 3u);

  // Without filling, the device sits idle through three 5 s requests.
  const PipelineTimes& w = *waiting.trace.pipeline;
  EXPECT_GT(w.wall_s, 15.0);
  EXPECT_GT(w.idle_share(1), 0.7);
  // Filling, it is busy but for the first compile after each request goes out and after each
  // reply (about 0.4 s each): under a fifth of the run, however long the model thinks.
  const PipelineTimes& f = *filled.trace.pipeline;
  EXPECT_LT(f.idle_share(1), 0.2);
  EXPECT_GT(filled.trace.best_ms.size(), waiting.trace.best_ms.size() + 50);
  EXPECT_TRUE(logged(filled.trace, "while the LLM was thinking"));
  EXPECT_FALSE(logged(waiting.trace, "while the LLM was thinking"));

  // The next prompt shows what was measured meanwhile: 1 default + 2 seeds + 2 of round 0
  // without filling, far more with it.
  EXPECT_EQ(results_shown(waiting.prompts[1]), 5);
  EXPECT_GT(results_shown(filled.prompts[1]), 20);
  // Filling never finds worse: the surrogate's configs are results like the LLM's.
  EXPECT_LE(filled.trace.best_ms.back(), waiting.trace.best_ms.back());
}

TEST(LlmFill, TheFillerLeavesTheBudgetTheLlmRoundsStillNeed) {
  static const sim::RecordedSpace rec = test::synthetic_recording();
  const ReplaySpace space = prepare_replay_space(rec, sim::spec_from_recorded_space(rec));
  auto model = std::make_shared<SlowModel>();
  ReplayRunSettings settings;
  settings.max_evals = 20;  // far less than 5 s of the device per request would take
  settings.batch_size = 5;
  settings.guided = true;
  settings.pipeline = PipelineShape{4, 1};
  RunTrace t = run_search_on_recording(
      space, {rec.name, "llm", 3},
      [&](const auto&) { return std::make_shared<LlmGuidedSearch>(three_rounds(true), model); },
      settings);
  // All three calls were made and each reply's two configs measured, within the budget: the
  // filler stopped where 3 rounds x 2 configs were left in round 0, and at 2 x 2 in round 1.
  EXPECT_EQ(model->requests().size(), 3u);
  EXPECT_EQ(t.best_ms.size(), 20u);
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(logged(t, "round " + std::to_string(round) + ": measuring 2 new configs"))
        << round;
  }
}

TEST(LlmFill, TheHybridFillsWithItsOwnModelFreeSearchUnderATimeBudget) {
  auto hybrid = [](bool fill) {
    return [fill](std::shared_ptr<SlowModel> model) -> std::shared_ptr<Search> {
      HybridOptions h;
      h.llm = three_rounds(fill);
      h.model_free_share = 3;
      h.llm_round_configs = 2;
      return std::make_shared<HybridSearch>(h, model);
    };
  };
  // 30 modelled seconds: three 5 s requests and the turns between them, then the model-free
  // search alone. Its turns keep the device busy between rounds; the requests did not.
  Outcome waiting = run(hybrid(false), 30);
  Outcome filled = run(hybrid(true), 30);
  EXPECT_EQ(filled.trace.guided->stop_reason, "time budget reached (30 s, modelled)");
  EXPECT_GT(waiting.trace.pipeline->idle_share(1), 0.4);
  // What is left: a first compile (0.4 s) at each turn's, request's and reply's start.
  EXPECT_LT(filled.trace.pipeline->idle_share(1), 0.15);
  EXPECT_TRUE(logged(filled.trace, "configs from surrogate while the LLM was thinking"));
  EXPECT_GT(filled.trace.best_ms.size(), waiting.trace.best_ms.size() + 40);

  // Under a budget in evaluations the hybrid's own turns spend them all anyway: filling would
  // only measure them before the LLM's configs, so it does not.
  Outcome counted = run(hybrid(true));
  EXPECT_FALSE(logged(counted.trace, "while the LLM was thinking"));
}

namespace {

// A tuning run's view without devices: the wall clock, every config "measured" at once, and
// `more` asked again and again while it brings configs, as the evaluator asks a refill while
// the pipeline has room. Counts what it measured for the model below.
class WallServices final : public SearchServices {
 public:
  explicit WallServices(const Space& space) : space_(space) {}
  const KernelSpec& spec() const override { return spec_; }
  const Space& space() const override { return space_; }
  const DeviceInfo& device() const override { return device_; }
  std::uint64_t seed() const override { return 5; }
  std::size_t batch_size() const override { return 4; }
  using SearchServices::evaluate;
  std::vector<Result> evaluate(const std::vector<Config>& configs,
                               const EvaluationStream& stream) override {
    std::vector<Result> out;
    std::vector<Config> queue = configs;
    while (!queue.empty()) {
      for (const Config& c : queue) measure(c, stream, out);
      queue = stream.more && budget_left() ? stream.more(1) : std::vector<Config>{};
    }
    return out;
  }
  std::vector<Result> retime(const std::vector<Config>&) override { return {}; }
  bool budget_left() const override { return measured_ < 400; }
  std::size_t evaluations_left() const override { return SIZE_MAX; }  // a time budget
  void log(const std::string& line) override { lines.push_back(line); }
  void cap_compile_timeout(double) override {}
  void restore_compile_timeout() override {}
  double compile_timeout_s() const override { return 60; }
  void record_llm_exchange(const LlmExchange&) override {}
  std::int64_t run_id() const override { return 0; }
  RunClock clock() const override { return RunClock::Wall; }

  std::size_t measured() const { return measured_.load(); }
  std::vector<std::string> lines;

 private:
  void measure(const Config& c, const EvaluationStream& stream, std::vector<Result>& out) {
    Result r = test::measure_synthetic(space_, c);
    if (stream.on_result) stream.on_result(r);
    out.push_back(r);
    ++measured_;
  }
  const Space& space_;
  KernelSpec spec_;
  DeviceInfo device_;
  std::atomic<std::size_t> measured_{0};
};

// Answers each request only once `services` has measured `k` more configs than when it came.
class ModelWaitingForResults : public llm::LlmClient {
 public:
  ModelWaitingForResults(const WallServices& services, std::size_t k)
      : services_(services), k_(k) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "waits-1"; }
  llm::LlmReply complete(const llm::LlmRequest&) override {
    const std::size_t until = services_.measured() + k_;
    for (int i = 0; i < 10000 && services_.measured() < until; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    llm::LlmReply reply;
    reply.text = R"({"configs": [{"A": 16, "B": 8, "C": 6}]})";
    return reply;
  }

 private:
  const WallServices& services_;
  std::size_t k_;
};

}  // namespace

TEST(LlmFill, OnTheWallClockTheDevicesMeasureUntilTheReplyArrives) {
  Space space = test::synthetic_space();
  WallServices services(space);
  LlmGuidedOptions o = three_rounds(true);
  o.max_rounds = 2;
  LlmGuidedSearch search(o, std::make_shared<ModelWaitingForResults>(services, 12));
  search.run(services);
  // Round 1's request is answered only after 12 configs were measured while it was out: the
  // filler supplied them (the LLM's single config per reply cannot).
  bool filled_round_1 = false;
  for (const std::string& line : services.lines)
    filled_round_1 = filled_round_1 || line.starts_with("round 1: measured ");
  EXPECT_TRUE(filled_round_1);
  EXPECT_GE(services.measured(), 1u + 2u + 1u + 12u + 1u);
}
