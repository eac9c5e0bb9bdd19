// The LLM-guided search's state machine and the hybrid, run for real through tuna::tune on a
// small host kernel (tests/integration/kernels/llm_steer.*), with an in-process LlmClient that
// answers from a script and records every request. The HTTP providers are tested against a
// real server in tests/integration/test_llm_search_http.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "search/hybrid.hpp"
#include "search/llm_guided.hpp"
#include "search/random_search.hpp"
#include "search/registry.hpp"
#include "tuna/driver.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using search::LlmGuidedOptions;

// Replies from a script, one per request, recording each request and how many results the run
// had reported when it arrived.
class ScriptedClient : public llm::LlmClient {
 public:
  ScriptedClient(std::vector<std::string> replies, const std::atomic<std::size_t>& results_seen)
      : replies_(std::move(replies)), results_seen_(results_seen) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "script-1"; }
  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t index = requests_.size();
    requests_.push_back(request);
    results_at_request_.push_back(results_seen_.load());
    if (on_request) on_request(index);
    if (static_cast<int>(index) == fail_at) {
      throw llm::LlmError("scripted provider: HTTP 500 from http://127.0.0.1:1/v1 after 4 "
                          "attempts");
    }
    llm::LlmReply reply;
    reply.text = index < replies_.size() ? replies_[index] : R"({"configs": []})";
    reply.input_tokens = 100;
    reply.output_tokens = 20;
    reply.latency_s = 0.01;
    return reply;
  }
  std::vector<llm::LlmRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  std::vector<std::size_t> results_at_request() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return results_at_request_;
  }
  int fail_at = -1;
  std::function<void(std::size_t)> on_request;

 private:
  std::vector<std::string> replies_;
  const std::atomic<std::size_t>& results_seen_;
  mutable std::mutex mutex_;
  std::vector<llm::LlmRequest> requests_;
  std::vector<std::size_t> results_at_request_;
};

class RecordingObserver : public TuneObserver {
 public:
  void on_result(const Result& r, const TuneProgress&) override {
    ++measured_per_key[r.key];
    ++results_seen;
  }
  void on_phase(const std::string& line) override { phases.push_back(line); }
  bool logged(const std::string& text) const {
    for (const std::string& p : phases) {
      if (p.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::atomic<std::size_t> results_seen{0};
  std::map<std::string, int> measured_per_key;
  std::vector<std::string> phases;
};

// Compiled artifacts are shared by every test of this program, so each config compiles once.
const fs::path& shared_cache() {
  static const fs::path dir = fs::temp_directory_path() /
                              ("tuna_test_llm_guided_" + std::to_string(::getpid()));
  return dir;
}

class LlmGuidedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = shared_cache() / (std::string(::testing::UnitTest::GetInstance()
                                            ->current_test_info()
                                            ->name()) +
                            ".db");
    fs::create_directories(shared_cache());
    fs::remove(db_);
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(shared_cache(), ignored);
  }

  std::shared_ptr<ScriptedClient> client(std::vector<std::string> replies) {
    return std::make_shared<ScriptedClient>(std::move(replies), observer_.results_seen);
  }

  static LlmGuidedOptions quick_options() {
    LlmGuidedOptions o;
    o.configs_per_round = 3;
    o.initial_random_configs = 0;
    o.max_rounds = 4;
    o.min_improvement = -1;  // never stagnant unless a test asks for it
    return o;
  }

  TuneSummary tune_with(std::shared_ptr<Search> search, std::size_t max_evals = 100) {
    KernelSpec spec = load_spec(std::string(TUNA_SOURCE_DIR) +
                                "/tests/integration/kernels/llm_steer.toml");
    TuneOptions o;
    o.strategy = {search->name(), 7};
    o.max_evals = max_evals;
    o.shootout_rounds = 2;
    o.evaluator.exe = TUNA_BINARY;
    o.evaluator.cache_dir = shared_cache() / "cache";
    o.evaluator.compile_jobs = 2;
    o.evaluator.compile_timeout_s = 120;
    o.evaluator.timing.budget_ms = 3;
    o.evaluator.timing.min_repetitions = 3;
    o.search = std::move(search);
    Store store(db_);
    TuneSummary summary = tune(spec, o, store, observer_);
    exchanges_ = store.llm_exchanges(summary.run_id);
    return summary;
  }

  std::vector<LlmExchange> exchanges_of_last_run() {
    Store store(db_);
    std::vector<LlmExchange> all;
    for (std::int64_t id = 1; id < 10; ++id) {
      for (LlmExchange& e : store.llm_exchanges(id)) all.push_back(std::move(e));
    }
    return all;
  }

  fs::path db_;
  RecordingObserver observer_;
  std::vector<LlmExchange> exchanges_;
};

std::string one(const std::string& a, const std::string& b) {
  return R"({"configs": [{"A": )" + a + R"(, "B": )" + b + "}]}";
}

TEST_F(LlmGuidedTest, HistoryHoldsSystemFirstPromptAndTheLastThreeExchanges) {
  auto c = client({one("2", "1"), one("3", "1"), one("4", "1"), one("5", "1"), one("7", "1"),
                   one("2", "2")});
  LlmGuidedOptions o = quick_options();
  o.max_rounds = 6;
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(o, c));
  std::vector<llm::LlmRequest> requests = c->requests();
  ASSERT_EQ(requests.size(), 6u) << s.stop_reason;
  // The seed keeps messages[:2] plus the last 6 history messages, then the new prompt: once
  // the round-0 reply falls out of the window the count stays at 9.
  std::vector<std::size_t> counts;
  for (const auto& r : requests) counts.push_back(r.messages.size());
  EXPECT_EQ(counts, (std::vector<std::size_t>{2, 4, 6, 8, 9, 9}));
  const auto& last = requests.back().messages;
  EXPECT_EQ(last[0].role, "system");
  EXPECT_EQ(last[1].role, "user");
  EXPECT_EQ(last[1].content, requests.front().messages[1].content);
  EXPECT_EQ(last[2].role, "user");  // the oldest kept exchange starts with its prompt
  EXPECT_EQ(last[8].role, "user");
  EXPECT_EQ(requests.front().max_output_tokens, std::max(512, 256 + 128 * 3));
  EXPECT_EQ(s.stop_reason, "all 6 LLM rounds done");

  // Every exchange is stored with the provider, model and tokens.
  ASSERT_EQ(exchanges_.size(), 6u);
  for (const LlmExchange& e : exchanges_) {
    EXPECT_EQ(e.provider, "scripted");
    EXPECT_EQ(e.model, "script-1");
    EXPECT_EQ(e.input_tokens, 100);
    EXPECT_TRUE(e.error.empty());
    EXPECT_FALSE(e.prompt_json.empty());
  }
  EXPECT_TRUE(observer_.logged("LLM search stats: 6 LLM calls"));
  EXPECT_TRUE(observer_.logged("tokens 600 in + 120 out = 720"));
}

TEST_F(LlmGuidedTest, RoundZeroRequestGoesOutBeforeTheSeedsAreMeasured) {
  auto c = client({one("6", "4")});
  LlmGuidedOptions o = quick_options();
  o.initial_random_configs = 5;
  o.max_rounds = 1;
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(o, c));
  ASSERT_EQ(c->requests().size(), 1u);
  EXPECT_EQ(c->requests()[0].messages.size(), 2u);
  // Six seeds (the default and five random configs) were measured; the request arrived before
  // the last of them was reported.
  EXPECT_LT(c->results_at_request()[0], 6u);
  EXPECT_GE(s.progress.considered, 6u);
  ASSERT_TRUE(s.default_result.has_value());
  EXPECT_TRUE(observer_.logged("round 0: asking the LLM while measuring 6 seed configs"));
}

TEST_F(LlmGuidedTest, ConfigsProposedTwiceAreMeasuredOnceAndARoundWithNothingNewStops) {
  std::string xy = R"({"configs": [{"A": 2}, {"A": 3}]})";
  std::string yz = R"({"configs": [{"A": 3}, {"A": 4}, {"A": 4}]})";
  std::string again = R"({"configs": [{"A": 2}, {"A": 4}, {}]})";  // {} is the default
  auto c = client({xy, yz, again, one("5", "1")});
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(quick_options(), c));
  EXPECT_EQ(c->requests().size(), 3u);
  EXPECT_EQ(s.stop_reason, "round 2 brought no new config");
  for (const char* key : {"A=1,B=1", "A=2,B=1", "A=3,B=1", "A=4,B=1"}) {
    EXPECT_EQ(observer_.measured_per_key[key], 1) << key;
  }
  EXPECT_EQ(observer_.measured_per_key.count("A=5,B=1"), 0u);
  EXPECT_EQ(s.progress.considered, 4u);
}

TEST_F(LlmGuidedTest, StopsEarlyAfterTwoRoundsWithoutSignificantImprovement) {
  auto c = client({one("2", "1"), one("3", "1"), one("4", "1"), one("5", "1"), one("7", "1")});
  LlmGuidedOptions o = quick_options();
  o.max_rounds = 6;
  o.min_improvement = 0.9;  // no slow config can improve the best by 90%
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(o, c));
  EXPECT_EQ(c->requests().size(), 3u);  // round 0, then two stagnant rounds
  EXPECT_EQ(s.stop_reason, "no significant improvement for 2 rounds");
  EXPECT_TRUE(observer_.logged("early stop"));
}

TEST_F(LlmGuidedTest, ReachesTheConfigTheScriptSteersTo) {
  auto c = client({R"(Sure! Here are some ideas:
```json
{"configs": [{"A": 5, "B": 2}, {"A": 3, "B": 4}]}
```)",
                   R"({"configs": [{"A": 6, "B": 2}, {"A": 5, "B": 4}]})",
                   R"({"configs": [{"A": 6, "B": 4}]})", one("7", "4")});
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(quick_options(), c));
  ASSERT_TRUE(s.best.has_value());
  EXPECT_EQ(s.best->key, "A=6,B=4");
  ASSERT_TRUE(s.default_result && s.default_result->ok());
  EXPECT_LT(s.best->median_ms * 2, s.default_result->median_ms);
  // The refinement prompts carry what was measured.
  EXPECT_EQ(c->requests().size(), 4u);
}

TEST_F(LlmGuidedTest, EmptyMalformedAndOutOfRangeRepliesAreHandled) {
  auto c = client({"", R"({"configs": [{"A": 100, "B": 5}]})", "I cannot help with that {"});
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(quick_options(), c));
  // Round 2's reply holds no configs: the model hears so and answers once more (the script's
  // default, an empty list), and only then does the round count as bringing nothing new.
  EXPECT_EQ(c->requests().size(), 4u);
  EXPECT_TRUE(observer_.logged("round 0: no new configs from the LLM"));
  // A=100 is off the list (repaired to 8) and B=5 is not a power of two (repaired to 4).
  EXPECT_EQ(observer_.measured_per_key["A=8,B=4"], 1);
  EXPECT_EQ(s.stop_reason, "round 2 brought no new config");
  ASSERT_TRUE(s.best.has_value());
}

TEST_F(LlmGuidedTest, AnUnusableReplyIsExplainedAndAskedOnceMore) {
  // Round 1's reply names another kernel's parameters only; the model is told so and asked
  // again in the same round, and the configs of its second answer are measured.
  const std::string foreign = R"({"configs": [{"BLOCK_M": 128, "num_warps": 4}, {"BLOCK_N": 64}]})";
  auto c = client({one("2", "1"), foreign, one("3", "1"), one("4", "1")});
  LlmGuidedOptions o = quick_options();
  o.max_rounds = 3;
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(o, c));
  const std::vector<llm::LlmRequest> requests = c->requests();
  ASSERT_EQ(requests.size(), 4u) << s.stop_reason;
  const std::string& correction = requests[2].messages.back().content;
  EXPECT_NE(correction.find("Your last reply could not be used"), std::string::npos)
      << correction;
  EXPECT_NE(correction.find("config 1: names no parameter of this space; dropped"),
            std::string::npos)
      << correction;
  EXPECT_NE(correction.find("BLOCK_M"), std::string::npos) << correction;
  // The correction goes out with the unusable exchange in its history.
  EXPECT_EQ(requests[2].messages[requests[2].messages.size() - 2].content, foreign);
  EXPECT_EQ(observer_.measured_per_key["A=3,B=1"], 1);
  EXPECT_EQ(observer_.measured_per_key["A=4,B=1"], 1);  // round 2 goes on as usual
  EXPECT_EQ(observer_.measured_per_key.count("A=1,B=1"), 1u);  // the default, once: never re-read
  EXPECT_TRUE(observer_.logged("round 1: the reply could not be used; asking the model once more"));
  EXPECT_EQ(s.stop_reason, "all 3 LLM rounds done");

  // Twice unusable in a row: the round is empty and the search stops, as for any empty round.
  auto twice = client({one("2", "1"), foreign, foreign, one("4", "1")});
  TuneSummary t = tune_with(std::make_shared<search::LlmGuidedSearch>(o, twice));
  EXPECT_EQ(twice->requests().size(), 3u);
  EXPECT_EQ(t.stop_reason, "round 1 brought no new config");
}

TEST_F(LlmGuidedTest, AProviderFailureAbortsWithAClearMessageByDefault) {
  auto c = client({one("2", "1"), one("3", "1")});
  c->fail_at = 1;
  try {
    tune_with(std::make_shared<search::LlmGuidedSearch>(quick_options(), c));
    FAIL() << "the run should have stopped";
  } catch (const UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("LLM provider 'scripted'"), std::string::npos) << what;
    EXPECT_NE(what.find("round 1"), std::string::npos) << what;
    EXPECT_NE(what.find("HTTP 500"), std::string::npos) << what;
    EXPECT_NE(what.find("--llm-fallback"), std::string::npos) << what;
  }
  // Both exchanges are stored, the failed one with its error.
  std::vector<LlmExchange> stored = exchanges_of_last_run();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_TRUE(stored[0].error.empty());
  EXPECT_NE(stored[1].error.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(observer_.measured_per_key["A=2,B=1"], 1);  // measured before the failure
}

TEST_F(LlmGuidedTest, AFallbackStrategyContinuesWithoutTheLlm) {
  auto c = client({});
  c->fail_at = 0;
  LlmGuidedOptions o = quick_options();
  o.initial_random_configs = 2;
  o.fallback_strategy = "random";
  TuneSummary s = tune_with(std::make_shared<search::LlmGuidedSearch>(o, c), 10);
  EXPECT_EQ(c->requests().size(), 1u);
  EXPECT_EQ(s.progress.considered, 10u);
  EXPECT_EQ(s.stop_reason, "evaluation budget reached (10)");
  EXPECT_TRUE(observer_.logged("continuing with the 'random' strategy"));
  for (const auto& [key, count] : observer_.measured_per_key) EXPECT_EQ(count, 1) << key;
}

// Wraps a search to look at the services before, during (from the client) and after it.
class TimeoutProbe : public Search {
 public:
  TimeoutProbe(std::shared_ptr<Search> inner, std::shared_ptr<ScriptedClient> c)
      : inner_(std::move(inner)), client_(std::move(c)) {}
  std::string name() const override { return inner_->name(); }
  std::string options_json() const override { return inner_->options_json(); }
  std::string run(SearchServices& services) override {
    before = services.compile_timeout_s();
    client_->on_request = [&](std::size_t i) {
      if (i == 1) during = services.compile_timeout_s();
    };
    std::string why = inner_->run(services);
    after = services.compile_timeout_s();
    return why;
  }
  double before = 0, during = 0, after = 0;

 private:
  std::shared_ptr<Search> inner_;
  std::shared_ptr<ScriptedClient> client_;
};

TEST_F(LlmGuidedTest, CompileTimeoutIsCappedDuringTheSearchAndRestoredAfter) {
  auto c = client({one("2", "1"), one("3", "1")});
  LlmGuidedOptions o = quick_options();
  o.max_rounds = 2;
  auto probe =
      std::make_shared<TimeoutProbe>(std::make_shared<search::LlmGuidedSearch>(o, c), c);
  tune_with(probe);
  EXPECT_EQ(probe->before, 120);
  EXPECT_EQ(probe->during, 15);
  EXPECT_EQ(probe->after, 120);
  EXPECT_TRUE(observer_.logged("LLM compile timeout capped at 15 s"));
}

// Records what the hybrid's second stage is fed.
class SpyStrategy : public Strategy {
 public:
  SpyStrategy(const Space& space, std::vector<Result>* observed)
      : inner_(space, search::RandomSearchOptions{3}), observed_(observed) {}
  std::string name() const override { return "spy"; }
  static inline std::size_t first_batch = 0;
  std::vector<Config> propose(std::size_t n) override { return inner_.propose(n); }
  void observe(const std::vector<Result>& results) override {
    if (first_batch == 0) first_batch = results.size();
    observed_->insert(observed_->end(), results.begin(), results.end());
    inner_.observe(results);
  }

 private:
  search::RandomSearch inner_;
  std::vector<Result>* observed_;
};

TEST_F(LlmGuidedTest, HybridFeedsEveryLlmResultFailuresIncludedToTheSecondStage) {
  auto c = client({R"({"configs": [{"A": 8, "B": 8}, {"A": 6, "B": 2}]})", one("3", "3")});
  search::HybridOptions h;
  h.llm = quick_options();
  h.llm.max_rounds = 1;
  h.llm.initial_random_configs = 2;
  std::vector<Result> observed;
  h.make_second_stage = [&observed](const Space& space, std::uint64_t) {
    return std::make_unique<SpyStrategy>(space, &observed);
  };
  TuneSummary s = tune_with(std::make_shared<search::HybridSearch>(h, c), 12);
  EXPECT_EQ(c->requests().size(), 1u);  // one quick LLM round
  EXPECT_EQ(s.strategy, "hybrid");
  EXPECT_EQ(s.progress.considered, 12u);
  // The first observation holds the default, the seeds and the LLM's configs, the one that
  // fails to compile included.
  ASSERT_GE(SpyStrategy::first_batch, 3u);
  ASSERT_LE(SpyStrategy::first_batch, observed.size());
  std::set<std::string> first;
  for (std::size_t i = 0; i < SpyStrategy::first_batch; ++i) {
    first.insert(observed[i].key);
    if (observed[i].key == "A=8,B=8") EXPECT_EQ(observed[i].status, Status::CompileError);
  }
  EXPECT_TRUE(first.count("A=1,B=1"));
  EXPECT_TRUE(first.count("A=6,B=2"));
  EXPECT_TRUE(first.count("A=8,B=8"));
  // Nothing is measured twice: the second stage knew what the LLM stage measured.
  for (const auto& [key, count] : observer_.measured_per_key) EXPECT_EQ(count, 1) << key;
  EXPECT_EQ(observed.size(), 12u);
}

TEST_F(LlmGuidedTest, HybridTakesTurnsAndEachSideSeesWhatTheOtherMeasured) {
  // Replies long enough that each round has new configs whatever the model-free turns measured.
  const std::string many =
      R"([{"A": 8}, {"A": 8, "B": 2}, {"A": 7, "B": 4}, {"A": 6, "B": 8}, {"A": 5, "B": 8}])";
  auto c = client({R"({"configs": [{"A": 2}, {"A": 3}]})",
                   R"({"configs": [{"A": 4}, {"A": 5}, )" + many.substr(1) + "}",
                   R"({"configs": [{"A": 6}, {"A": 7}, )" + many.substr(1) + "}",
                   R"({"configs": )" + many + "}"});
  search::HybridOptions h;
  h.llm = quick_options();
  h.llm.initial_random_configs = 1;
  h.model_free_share = 3;
  h.llm_round_configs = 2;
  std::vector<Result> observed;
  h.make_second_stage = [&observed](const Space& space, std::uint64_t) {
    return std::make_unique<SpyStrategy>(space, &observed);
  };
  TuneSummary s = tune_with(std::make_shared<search::HybridSearch>(h, c), 24);
  EXPECT_EQ(s.progress.considered, 24u);
  const auto requests = c->requests();
  const auto seen_at = c->results_at_request();
  ASSERT_EQ(requests.size(), 4u);
  // Between two LLM calls: that round's LLM configs, then a model-free turn of 3.
  for (std::size_t i = 2; i < seen_at.size(); ++i) {
    EXPECT_LE(seen_at[i] - seen_at[i - 1], 2u + 3u) << i;
    EXPECT_GE(seen_at[i] - seen_at[i - 1], 3u) << i;
  }
  for (std::size_t i = 1; i < requests.size(); ++i) {
    const std::string& prompt = requests[i].messages.back().content;
    EXPECT_NE(prompt.find("## Between your rounds"), std::string::npos) << i;
    EXPECT_NE(prompt.find("measured 3 configs"), std::string::npos) << i;
  }
  // The model-free side saw every LLM result, and nothing was measured twice.
  std::set<std::string> observed_keys;
  for (const Result& r : observed) observed_keys.insert(r.key);
  for (const char* key : {"A=2,B=1", "A=5,B=1", "A=7,B=1"}) EXPECT_TRUE(observed_keys.count(key)) << key;
  for (const auto& [key, count] : observer_.measured_per_key) EXPECT_EQ(count, 1) << key;
  EXPECT_EQ(observed_keys.size(), 24u);
}

// A model asked for 3 configs in round 0 that lists 6 new ones: the hybrid measures the first 3
// and says so, instead of spending its turns' budget on the rest (the seed's llm measures all).
TEST_F(LlmGuidedTest, HybridRoundZeroMeasuresAtMostWhatItAskedFor) {
  auto c = client({R"({"configs": [{"A": 2}, {"A": 3}, {"A": 4}, {"A": 5}, {"A": 6}, {"A": 7}]})",
                   one("8", "8")});
  search::HybridOptions h;
  h.llm = quick_options();  // 3 configs a round, no random seeds: the default is the only seed
  h.llm.max_rounds = 2;
  h.model_free_share = 1;
  h.llm_round_configs = 1;
  tune_with(std::make_shared<search::HybridSearch>(h, c), 12);
  ASSERT_EQ(c->requests().size(), 2u);
  // Before the second request: the default, round 0's first 3 configs, one model-free turn.
  EXPECT_EQ(c->results_at_request()[1], 1u + 3u + 1u);
  EXPECT_TRUE(observer_.logged("round 0: the reply holds 6 new configs; measuring the first 3"));
  for (const char* key : {"A=2,B=1", "A=3,B=1", "A=4,B=1"})
    EXPECT_EQ(observer_.measured_per_key.count(key), 1u) << key;
}

TEST(LlmGuidedOptionsTest, DefaultsAreTheSeeds) {
  LlmGuidedOptions o;
  EXPECT_EQ(o.configs_per_round, 15);
  EXPECT_EQ(o.max_rounds, 4);
  EXPECT_EQ(o.initial_random_configs, 10);
  EXPECT_DOUBLE_EQ(o.min_improvement, 0.005);
  EXPECT_EQ(o.max_stagnant_rounds, 2);
  EXPECT_EQ(o.context_rounds, 3);
  EXPECT_EQ(o.compile_timeout_cap_s, 15);
  EXPECT_EQ(o.request_timeout_s, 120);
  EXPECT_EQ(o.population_size(), 30);
  EXPECT_EQ(o.output_tokens(), 2176);
  o.configs_per_round = 1;
  EXPECT_EQ(o.output_tokens(), 512);
  o.configs_per_round = 40;
  EXPECT_EQ(o.output_tokens(), 4096);
  EXPECT_EQ(search::llm_guided_defaults(search::LlmEffort::Quick).max_rounds, 1);
  EXPECT_EQ(search::llm_guided_defaults(search::LlmEffort::Full).max_rounds, 4);
  EXPECT_THROW(search::parse_llm_effort("max"), UserError);
}

TEST(LlmGuidedOptionsTest, StrategySelection) {
  EXPECT_EQ(search::resolve_strategy_name("auto", true), "hybrid");
  EXPECT_EQ(search::resolve_strategy_name("auto", false), "auto");
  EXPECT_EQ(search::resolve_strategy_name("random", true), "random");
  bool listed_llm = false, listed_hybrid = false;
  for (const auto& [name, _] : strategy_names()) {
    listed_llm = listed_llm || name == "llm";
    listed_hybrid = listed_hybrid || name == "hybrid";
  }
  EXPECT_TRUE(listed_llm && listed_hybrid);
  Space space({Parameter::list("A", {Value(1), Value(2)}, Value(1))}, {});
  EXPECT_THROW(make_strategy({"llm", 0}, space), UserError);
  search::GuidedSearchSettings settings;
  settings.llm.fallback_strategy = "hybrid";
  std::atomic<std::size_t> none{0};
  EXPECT_THROW(search::make_guided_search("llm", settings,
                                          std::make_shared<ScriptedClient>(
                                              std::vector<std::string>{}, none)),
               UserError);
  settings.llm.fallback_strategy = "random";
  auto hybrid = search::make_guided_search(
      "hybrid", settings, std::make_shared<ScriptedClient>(std::vector<std::string>{}, none));
  EXPECT_EQ(hybrid->name(), "hybrid");
  // The hybrid asks the LLM up to 4 times, 12 configs in round 0, unless told otherwise.
  EXPECT_NE(hybrid->options_json().find("\"max_rounds\":4"), std::string::npos);
  EXPECT_NE(hybrid->options_json().find("\"configs_per_round\":12"), std::string::npos);
  EXPECT_NE(hybrid->options_json().find("\"initial_random_configs\":4"), std::string::npos);
  // Round 2 is a challenge round in the hybrid, none in the LLM search, unless told otherwise.
  EXPECT_NE(hybrid->options_json().find("\"challenge_round\":2"), std::string::npos);
  auto llm_search = search::make_guided_search(
      "llm", settings, std::make_shared<ScriptedClient>(std::vector<std::string>{}, none));
  EXPECT_NE(llm_search->options_json().find("\"challenge_round\":0"), std::string::npos);
  settings.challenge_round_explicit = true;
  settings.llm.challenge_round = 0;
  hybrid = search::make_guided_search(
      "hybrid", settings, std::make_shared<ScriptedClient>(std::vector<std::string>{}, none));
  EXPECT_NE(hybrid->options_json().find("\"challenge_round\":0"), std::string::npos);
  settings.configs_explicit = true;
  settings.llm.configs_per_round = 5;
  settings.initial_random_explicit = true;
  settings.llm.initial_random_configs = 10;
  hybrid = search::make_guided_search(
      "hybrid", settings, std::make_shared<ScriptedClient>(std::vector<std::string>{}, none));
  EXPECT_NE(hybrid->options_json().find("\"configs_per_round\":5"), std::string::npos);
  EXPECT_NE(hybrid->options_json().find("\"initial_random_configs\":10"), std::string::npos);
  settings.hybrid_turn = 3;
  settings.hybrid_llm_configs = 2;
  hybrid = search::make_guided_search(
      "hybrid", settings, std::make_shared<ScriptedClient>(std::vector<std::string>{}, none));
  EXPECT_NE(hybrid->options_json().find("\"model_free_share\":3"), std::string::npos);
  EXPECT_NE(hybrid->options_json().find("\"llm_round_configs\":2"), std::string::npos);
  settings.hybrid_relink = 3;
  hybrid = search::make_guided_search(
      "hybrid", settings, std::make_shared<ScriptedClient>(std::vector<std::string>{}, none));
  EXPECT_NE(hybrid->options_json().find("\"model_free_relink\":3"), std::string::npos);
}

}  // namespace
}  // namespace tuna
