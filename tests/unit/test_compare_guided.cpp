// LLM strategies in `tuna compare`: the LLM-guided search and the hybrid replayed on a recorded
// space (tests/data/kt_small.json) with a scripted LlmClient, their budget counting and trace,
// the store, and transcripts that replay a live comparison to identical scores. The last test
// runs the real binary: no provider, a live run through the command provider, its replay.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "store/recorded_space.hpp"
#include "integration/cli_runner.hpp"
#include "llm/transport.hpp"
#include "search/compare.hpp"
#include "backends/sim/sim_backend.hpp"
#include "store/recording_spec.hpp"
#include "search/compare_guided.hpp"
#include "search/compare_report.hpp"
#include "search/compare_transcript.hpp"
#include "search/registry.hpp"
#include "tuna/errors.hpp"
#include "tuna/store.hpp"

namespace tuna::search {
namespace {

namespace fs = std::filesystem;

fs::path data(const char* name) { return fs::path(TUNA_SOURCE_DIR) / "tests/data" / name; }

// kt_small: bx in {1, 2, 4} x mode in {a, b}; (1,a) 2 ms is the default, (2,a) 1 ms, (2,b)
// 0.5 ms the optimum, (4,a) a compile failure, (1,b) a run-time failure, (4,b) invalid (so not
// in the space): 5 valid configs.
const sim::RecordedSpace& kt_small() {
  static const sim::RecordedSpace rec = sim::load_recorded_space(data("kt_small.json"));
  return rec;
}

// Replies from a script by call index; every request is kept.
class ScriptedClient : public llm::LlmClient {
 public:
  explicit ScriptedClient(std::vector<std::string> replies) : replies_(std::move(replies)) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "script-1"; }
  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard lock(mutex_);
    std::size_t call = requests_.size();
    requests_.push_back(request);
    if (static_cast<int>(call) == fail_at) throw llm::LlmError("scripted: HTTP 500");
    llm::LlmReply reply;
    reply.text = call < replies_.size() ? replies_[call] : R"({"configs": []})";
    reply.input_tokens = 100 + static_cast<std::int64_t>(call);
    reply.output_tokens = 20;
    reply.latency_s = 0.25;
    return reply;
  }
  std::vector<llm::LlmRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int fail_at = -1;

 private:
  std::vector<std::string> replies_;
  mutable std::mutex mutex_;
  std::vector<llm::LlmRequest> requests_;
};

const std::vector<std::string> kScript = {
    R"({"configs": [{"bx": 2}]})",               // (2,a): 1 ms
    R"({"configs": [{"bx": 4}]})",               // (4,a): a compile failure
    R"({"configs": [{"bx": 2, "mode": "b"}]})",  // the optimum
};

GuidedSearchSettings settings(int initial_random = 0) {
  GuidedSearchSettings s;
  s.llm.configs_per_round = 3;
  s.llm.initial_random_configs = initial_random;
  s.llm.max_rounds = 4;
  s.llm.min_improvement = -1;  // never stagnant: the script decides when the search stops
  return s;
}

// A factory whose clients answer from kScript; the last client made is kept for inspection.
struct ScriptedFactory {
  GuidedSearchSettings settings;
  std::shared_ptr<ScriptedClient> last;
  GuidedSearchFactory factory() {
    return [this](const CompareRunKey& key, const std::function<void(const std::string&)>&) {
      last = std::make_shared<ScriptedClient>(kScript);
      return make_guided_search(key.strategy, settings, last);
    };
  }
};

class CompareGuidedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("tuna_test_compare_guided_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST_F(CompareGuidedTest, LlmRunStopsOnItsOwnAndItsTraceKeepsTheBelievedBest) {
  ReplaySpace space = prepare_replay_space(kt_small(), sim::spec_from_recorded_space(kt_small()));
  ScriptedFactory f{settings()};
  ReplayRunSettings run{.max_evals = 10, .noise = sim::ReplayNoise::Median, .batch_size = 1};
  RunTrace trace = run_guided_on_recording(space, {"kt_small", "llm", 1}, f.factory(), run);
  // The default (2 ms), then one LLM proposal per round: 1 ms, a compile failure (counted, no
  // better), the optimum; the 4th reply brings nothing new and the search stops at 4 of 10.
  EXPECT_EQ(trace.best_ms, (std::vector<double>{2.0, 1.0, 1.0, 0.5}));
  ASSERT_TRUE(trace.guided);
  EXPECT_EQ(trace.guided->evaluations, 4u);
  EXPECT_EQ(trace.guided->stop_reason, "round 3 brought no new config");
  EXPECT_EQ(trace.guided->llm.calls, 4u);
  EXPECT_EQ(trace.guided->llm.input_tokens, 100 + 101 + 102 + 103);
  EXPECT_EQ(trace.guided->llm.output_tokens, 80);
  EXPECT_DOUBLE_EQ(trace.guided->llm.model_s, 1.0);
  EXPECT_FALSE(trace.guided->log.empty());

  // A run that stopped early keeps its best at every larger budget.
  CompareOptions o;
  o.budgets = {2, 10};
  o.targets = {1.0};
  StrategyStats st = summarise_runs("llm", {trace}, kt_small().optimum_ms(), o);
  EXPECT_DOUBLE_EQ(st.score[0], 0.5);
  EXPECT_DOUBLE_EQ(st.score[1], 1.0);
  EXPECT_DOUBLE_EQ(st.evals_to[0], 4.0);
  ASSERT_TRUE(st.llm);
  EXPECT_EQ(st.llm->calls, 4u);
}

// A prior over kt_small whose fastest is (2,a) and whose next fastest, (1,a), is the default.
std::shared_ptr<const Prior> kt_small_prior() {
  const Space& space = kt_small().space;
  std::vector<PriorEntry> entries;
  for (auto [text, ms] : std::vector<std::pair<const char*, double>>{
           {"bx=2,mode=a", 0.1}, {"bx=1,mode=a", 0.2}, {"bx=2,mode=b", 0.9}, {"bx=1,mode=b", 1.0}}) {
    Config c = space.parse_key(text);
    entries.push_back({c, space.key(c), ms});
  }
  return std::make_shared<const Prior>("elsewhere", std::move(entries));
}

TEST_F(CompareGuidedTest, WithAPriorTheSeedsAreItsLeadersBeforeAnyRandomConfig) {
  ReplaySpace space = prepare_replay_space(kt_small(), sim::spec_from_recorded_space(kt_small()));
  space.priors = {kt_small_prior()};
  ScriptedFactory f{settings(2)};
  ReplayRunSettings run{.max_evals = 3, .noise = sim::ReplayNoise::Median, .batch_size = 1};
  RunTrace trace = run_guided_on_recording(space, {"kt_small", "llm", 1}, f.factory(), run);
  // The default (1,a) 2 ms; the prior's fastest (2,a) 1 ms; then, its next fastest being the
  // default already, its fastest with the other mode, (2,b): the optimum at the third evaluation.
  EXPECT_EQ(trace.best_ms, (std::vector<double>{2.0, 1.0, 0.5}));

  // --llm-prior-seeds 0: the seeds stay random, and the prior's first leader is not among them
  // unless drawn.
  GuidedSearchSettings none = settings(2);
  none.llm.prior_seed_leaders = 0;
  ScriptedFactory g{none};
  std::vector<double> without =
      run_guided_on_recording(space, {"kt_small", "llm", 1}, g.factory(), run).best_ms;
  ReplaySpace no_prior = space;
  no_prior.priors.clear();
  ScriptedFactory h{settings(2)};
  EXPECT_EQ(without, run_guided_on_recording(no_prior, {"kt_small", "llm", 1}, h.factory(), run).best_ms);
  EXPECT_NE(without, trace.best_ms);  // this seed's random seeds are not the leaders
}

TEST_F(CompareGuidedTest, TheBudgetStopsTheSearchAndTheRecordingIsNeverShown) {
  KernelSpec spec = sim::spec_from_recorded_space(kt_small());
  // A spec whose source is its recording (as `tuna import` wrote them before [kernel]
  // recording existed): the LLM must not be shown it, it holds every answer.
  spec.recording = data("kt_small.json");
  spec.source = spec.recording;
  ReplaySpace space = prepare_replay_space(kt_small(), spec);
  EXPECT_TRUE(space.spec.source.empty());
  EXPECT_EQ(space.device.name, "Test GPU 9000");
  EXPECT_EQ(space.device.backend, "sim");

  ScriptedFactory f{settings()};
  ReplayRunSettings run{.max_evals = 2, .noise = sim::ReplayNoise::Median, .batch_size = 1};
  RunTrace trace = run_guided_on_recording(space, {"kt_small", "llm", 1}, f.factory(), run);
  EXPECT_EQ(trace.best_ms, (std::vector<double>{2.0, 1.0}));
  EXPECT_EQ(trace.guided->stop_reason, "evaluation budget reached (2)");
  std::vector<llm::LlmRequest> requests = f.last->requests();
  ASSERT_FALSE(requests.empty());
  const std::string& first_prompt = requests[0].messages.at(1).content;
  EXPECT_EQ(first_prompt.find("CompilationFailedConfig"), std::string::npos);
  EXPECT_EQ(first_prompt.find("compile_time"), std::string::npos);
  EXPECT_NE(first_prompt.find("Test GPU 9000"), std::string::npos);
}

// Drives the services directly: what the LLM search would never send (an invalid config, a
// repeat) and re-timing under noise.
class ProbeSearch : public Search {
 public:
  std::string name() const override { return "llm"; }
  std::string options_json() const override { return R"({"probe": true})"; }
  std::string run(SearchServices& s) override {
    const Space& space = s.space();
    Config invalid = space.default_config(), fast = space.default_config();
    invalid[0] = Value(4);
    invalid[1] = Value(std::string("b"));
    fast[0] = Value(2);
    first = s.evaluate({invalid, space.default_config(), space.default_config(), fast});
    retimed = s.retime({fast, fast, fast});
    budget_left_after = s.budget_left();
    second = s.evaluate({fast, space.default_config()});
    LlmExchange e;
    e.provider = "probe";
    e.model = "m";
    e.prompt_json = "{}";
    e.response_text = "{}";
    e.input_tokens = 7;
    e.latency_s = 2;
    s.record_llm_exchange(e);
    s.log("probe done");
    return "probe";
  }
  std::vector<Result> first, retimed, second;
  bool budget_left_after = false;
};

TEST_F(CompareGuidedTest, ServicesCountUniqueValidEvaluationsAndStoreExchanges) {
  ReplaySpace space = prepare_replay_space(kt_small(), sim::spec_from_recorded_space(kt_small()));
  auto probe = std::make_shared<ProbeSearch>();
  GuidedSearchFactory factory = [&](const CompareRunKey&,
                                    const std::function<void(const std::string&)>&) {
    return probe;
  };
  std::vector<std::string> logged;
  ReplayRunSettings run{.max_evals = 3,
                        .noise = sim::ReplayNoise::OneRepetition,
                        .batch_size = 1,
                        .store = dir_ / "tuna.db",
                        .on_log = [&](const std::string& line) { logged.push_back(line); }};
  RunTrace trace = run_guided_on_recording(space, {"kt_small", "llm", 5}, factory, run);

  // The invalid config comes back invalid and costs nothing; the repeat is skipped.
  ASSERT_EQ(probe->first.size(), 3u);
  EXPECT_EQ(probe->first[0].status, Status::Invalid);
  EXPECT_EQ(probe->first[1].key, kt_small().space.key(kt_small().space.default_config()));
  EXPECT_TRUE(probe->first[2].ok());
  // Re-timing draws new repetitions of (2,a) (0.9, 1.0 or 1.1 ms) and costs nothing.
  ASSERT_EQ(probe->retimed.size(), 3u);
  for (const Result& r : probe->retimed) {
    EXPECT_TRUE(r.ok());
    EXPECT_GE(r.median_ms, 0.9);
    EXPECT_LE(r.median_ms, 1.1);
  }
  EXPECT_TRUE(probe->budget_left_after);
  // Both already considered: nothing measured, nothing counted.
  EXPECT_TRUE(probe->second.empty());
  // The trace scores the believed best by its recorded median.
  EXPECT_EQ(trace.best_ms, (std::vector<double>{2.0, 1.0}));
  EXPECT_EQ(trace.guided->stop_reason, "probe");
  EXPECT_EQ(logged, (std::vector<std::string>{"probe done"}));

  // One store run for the space x strategy x seed, with its options and the exchange.
  ASSERT_GT(trace.guided->store_run, 0);
  Store store(dir_ / "tuna.db");
  auto stored = store.run(trace.guided->store_run);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->first.strategy, "llm");
  EXPECT_EQ(stored->first.outcome, "completed");
  EXPECT_NE(stored->first.options_json.find("\"seed\":5"), std::string::npos);
  EXPECT_NE(stored->first.options_json.find("\"probe\":true"), std::string::npos);
  EXPECT_EQ(stored->second.device_name, "Test GPU 9000");
  std::vector<LlmExchange> exchanges = store.llm_exchanges(trace.guided->store_run);
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].provider, "probe");
  EXPECT_EQ(exchanges[0].input_tokens, 7);
  EXPECT_EQ(trace.guided->llm.calls, 1u);
  EXPECT_DOUBLE_EQ(trace.guided->llm.model_s, 2.0);
}

CompareOptions guided_options(const GuidedSearchFactory& factory) {
  CompareOptions o;
  o.strategies = {"llm", "hybrid", "random"};
  o.budgets = {2, 5};
  o.targets = {1.0};
  o.runs = 4;
  o.threads = 2;
  o.noise = sim::ReplayNoise::OneRepetition;
  o.make_guided = factory;
  return o;
}

TEST_F(CompareGuidedTest, LlmStrategiesRunInCompareAndExchangesLandInTheStore) {
  ScriptedFactory f{settings(1)};
  CompareOptions o = guided_options(f.factory());
  o.guided_runs = 3;
  o.store = dir_ / "tuna.db";
  CompareReport report = run_compare({kt_small()}, o);
  ASSERT_EQ(report.spaces.size(), 1u);
  const std::vector<StrategyStats>& rows = report.spaces[0].strategies;
  ASSERT_EQ(rows.size(), 4u);  // llm, hybrid, random, random (exact)
  EXPECT_EQ(rows[0].strategy, "llm");
  EXPECT_EQ(rows[0].runs, 3u);
  EXPECT_EQ(rows[2].runs, 4u);
  ASSERT_TRUE(rows[0].llm);
  ASSERT_TRUE(rows[1].llm);
  EXPECT_FALSE(rows[2].llm);
  ASSERT_EQ(rows[0].guided_runs.size(), 3u);
  for (const StrategyStats& r : {rows[0], rows[1]}) {
    for (const GuidedRunInfo& run : r.guided_runs) {
      EXPECT_GE(run.llm.calls, 1u) << r.strategy;
      EXPECT_LE(run.evaluations, 5u) << r.strategy;
      EXPECT_GT(run.store_run, 0) << r.strategy;
    }
  }
  // The hybrid searches on to the largest budget, which covers the 5 valid configs.
  EXPECT_DOUBLE_EQ(rows[1].score[1], 1.0);
  for (const GuidedRunInfo& run : rows[1].guided_runs) EXPECT_EQ(run.evaluations, 5u);
  // The llm stops on its own, at most after its 4 rounds of one new config each.
  EXPECT_GT(rows[0].score[1], 0.0);
  // Each run's own scores, per budget, average to the strategy's.
  for (const StrategyStats& r : {rows[0], rows[1]}) {
    for (std::size_t b = 0; b < o.budgets.size(); ++b) {
      double sum = 0;
      for (const GuidedRunInfo& run : r.guided_runs) {
        ASSERT_EQ(run.score.size(), o.budgets.size()) << r.strategy;
        sum += run.score[b];
      }
      EXPECT_NEAR(sum / 3, r.score[b], 1e-12) << r.strategy << " at " << o.budgets[b];
    }
  }

  // Every LLM exchange of every run is in the store, under that run.
  Store store(dir_ / "tuna.db");
  std::size_t calls = 0, stored = 0;
  for (const StrategyStats& r : {rows[0], rows[1]}) {
    for (const GuidedRunInfo& run : r.guided_runs) {
      calls += run.llm.calls;
      stored += store.llm_exchanges(run.store_run).size();
      EXPECT_EQ(store.run(run.store_run)->first.strategy, r.strategy);
    }
  }
  EXPECT_EQ(stored, calls);
  EXPECT_EQ(calls, rows[0].llm->calls + rows[1].llm->calls);

  // The report shows the cost of the LLM strategies.
  std::string table = format_compare_table(report);
  EXPECT_NE(table.find("LLM usage"), std::string::npos);
  EXPECT_NE(table.find("4 runs, 3 for LLM strategies"), std::string::npos) << table;
  EXPECT_NE(format_guided_runs(report).find("kt_small llm seed 1:"), std::string::npos);
  EXPECT_NE(format_guided_runs(report).find(fmt::format("; score {:.3f} @{}",
                                                        rows[1].guided_runs[0].score[0],
                                                        o.budgets[0])),
            std::string::npos)
      << format_guided_runs(report);
  EXPECT_NE(compare_csv(report).find(",llm_calls,llm_input_tokens"), std::string::npos);
}

TEST_F(CompareGuidedTest, WithoutAFactoryTheLlmStrategiesSayWhatIsMissing) {
  CompareOptions o = guided_options({});
  try {
    run_compare({kt_small()}, o);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("needs an LLM client"), std::string::npos) << e.what();
  }
}

// A live comparison whose exchanges go to a transcript, then the same comparison answered from
// it: identical curves, scores and LLM costs.
TEST_F(CompareGuidedTest, TranscriptReplaysToIdenticalScores) {
  const fs::path file = dir_ / "panel.jsonl";
  ScriptedFactory live_factory{settings(1)};
  auto writer = std::make_shared<TranscriptWriter>(file);
  GuidedSearchFactory live = [&](const CompareRunKey& key,
                                 const std::function<void(const std::string&)>&) {
    auto client = transcribing_client(std::make_shared<ScriptedClient>(kScript), writer, key);
    return make_guided_search(key.strategy, live_factory.settings, client);
  };
  CompareReport recorded = run_compare({kt_small()}, guided_options(live));

  Transcript transcript = Transcript::load(file);
  std::size_t calls = recorded.spaces[0].strategies[0].llm->calls +
                      recorded.spaces[0].strategies[1].llm->calls;
  EXPECT_EQ(transcript.size(), calls);
  GuidedSearchFactory replay = [&](const CompareRunKey& key,
                                   const std::function<void(const std::string&)>& log) {
    return make_guided_search(key.strategy, live_factory.settings, transcript.client_for(key, log));
  };
  CompareReport replayed = run_compare({kt_small()}, guided_options(replay));
  EXPECT_EQ(transcript.prompt_mismatches(), 0u);
  for (std::size_t j = 0; j < 2; ++j) {
    const StrategyStats& a = recorded.spaces[0].strategies[j];
    const StrategyStats& b = replayed.spaces[0].strategies[j];
    EXPECT_EQ(a.curve, b.curve) << a.strategy;
    EXPECT_EQ(a.score, b.score) << a.strategy;
    EXPECT_EQ(a.evals_to, b.evals_to) << a.strategy;
    EXPECT_EQ(a.llm->calls, b.llm->calls);
    EXPECT_EQ(a.llm->input_tokens, b.llm->input_tokens);
    EXPECT_DOUBLE_EQ(a.llm->model_s, b.llm->model_s);
    ASSERT_EQ(a.guided_runs.size(), b.guided_runs.size());
    for (std::size_t r = 0; r < a.guided_runs.size(); ++r)
      EXPECT_EQ(a.guided_runs[r].stop_reason, b.guided_runs[r].stop_reason);
  }

  // Each line carries what the brief promises, the prompt's hash included.
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  TranscriptLine line = parse_transcript_line(first, "panel.jsonl:1");
  EXPECT_EQ(line.model, "script-1");
  EXPECT_EQ(line.provider, "scripted");
  EXPECT_EQ(line.prompt_hash.size(), 32u);
  EXPECT_EQ(line.output_tokens, 20);
  EXPECT_DOUBLE_EQ(line.latency_s, 0.25);
}

TEST_F(CompareGuidedTest, AMissingTranscriptLineIsAClearError) {
  const fs::path file = dir_ / "panel.jsonl";
  auto writer = std::make_shared<TranscriptWriter>(file);
  TranscriptLine line;
  line.key = {"kt_small", "llm", 1};
  line.model = "script-1";
  line.reply = kScript[0];
  writer->append(line);  // call 0 only: the search asks for more

  Transcript transcript = Transcript::load(file);
  EXPECT_EQ(transcript.missing_runs({{"kt_small", "llm", 1}, {"kt_small", "llm", 2}}),
            (std::vector<std::string>{"space 'kt_small', strategy 'llm', seed 2"}));
  GuidedSearchFactory replay = [&](const CompareRunKey& key,
                                   const std::function<void(const std::string&)>& log) {
    return make_guided_search(key.strategy, settings(), transcript.client_for(key, log));
  };
  CompareOptions o = guided_options(replay);
  o.strategies = {"llm"};
  o.runs = 1;
  try {
    run_compare({kt_small()}, o);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("no line for space 'kt_small', strategy 'llm', seed 1, call 1"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(file.string()), std::string::npos) << what;
  }
}

// A continuation (--llm-replay-calls): the first calls come from the transcript, the later ones
// from the live model, and the new transcript holds both, numbered as one run.
TEST_F(CompareGuidedTest, AContinuationReplaysTheFirstCallsThenAsksTheModel) {
  const fs::path recorded_file = dir_ / "recorded.jsonl";
  {
    auto writer = std::make_shared<TranscriptWriter>(recorded_file);
    for (std::size_t call = 0; call < 3; ++call) {
      TranscriptLine line;
      line.key = {"kt_small", "llm", 1};
      line.call = call;
      line.model = "recorded-model";
      line.provider = "command";
      line.reply = kScript[call];
      writer->append(line);
    }
  }
  const Transcript recorded = Transcript::load(recorded_file);
  const fs::path continued_file = dir_ / "continued.jsonl";
  auto writer = std::make_shared<TranscriptWriter>(continued_file);
  auto live = std::make_shared<ScriptedClient>(
      std::vector<std::string>{R"({"configs": [{"mode": "b"}]})", R"({"configs": []})"});
  std::vector<std::string> log;
  auto client = recorded.continuation_for({"kt_small", "llm", 1}, 1, live, writer,
                                          [&](const std::string& line) { log.push_back(line); });
  llm::LlmRequest request;
  EXPECT_EQ(client->complete(request).text, kScript[0]);  // call 0: replayed
  EXPECT_TRUE(live->requests().empty());
  EXPECT_EQ(client->complete(request).text, R"({"configs": [{"mode": "b"}]})");  // call 1: live
  EXPECT_EQ(client->complete(request).text, R"({"configs": []})");
  EXPECT_EQ(live->requests().size(), 2u);

  const Transcript continued = Transcript::load(continued_file);
  EXPECT_EQ(continued.size(), 3u);
  std::ifstream in(continued_file);
  std::vector<TranscriptLine> lines;
  for (std::string text; std::getline(in, text);)
    lines.push_back(parse_transcript_line(text, "continued.jsonl"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].call, 0u);
  EXPECT_EQ(lines[0].reply, kScript[0]);
  EXPECT_EQ(lines[0].model, "recorded-model");
  EXPECT_EQ(lines[1].call, 1u);
  EXPECT_EQ(lines[1].model, "script-1");
  EXPECT_EQ(lines[2].call, 2u);
  EXPECT_TRUE(log.empty());

  // A run the transcript does not hold at all is asked live from its first call, with a note,
  // and stays live, transcribed under its own call numbers.
  const fs::path fresh_file = dir_ / "fresh.jsonl";
  auto fresh = recorded.continuation_for({"kt_small", "llm", 2}, 2, live,
                                         std::make_shared<TranscriptWriter>(fresh_file),
                                         [&](const std::string& line) { log.push_back(line); });
  EXPECT_EQ(fresh->complete(request).text, R"({"configs": []})");
  fresh->complete(request);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("the transcript has no call 0"), std::string::npos) << log[0];
  std::ifstream fresh_in(fresh_file);
  std::vector<std::size_t> calls;
  for (std::string text; std::getline(fresh_in, text);)
    calls.push_back(parse_transcript_line(text, "fresh.jsonl").call);
  EXPECT_EQ(calls, (std::vector<std::size_t>{0, 1}));
}

// kt_small.json written as the sim spec kt.toml in the sandbox (`tuna import --write-spec`).
void import_kt_spec(const testing::TunaSandbox& box) {
  ProcessResult written = box.run({"import", data("kt_small.json").string(), "--write-spec",
                                   (box.dir() / "kt.toml").string()});
  ASSERT_TRUE(written.ok()) << written.output;
}

TEST(CompareCli, ReplayCallsNeedsATranscriptAndAModel) {
  testing::TunaSandbox box("compare-continue");
  const fs::path dir = box.dir();
  ASSERT_NO_FATAL_FAILURE(import_kt_spec(box));
  ProcessResult no_replay = box.run({"compare", (dir / "kt.toml").string(), "--strategies", "llm",
                                     "--llm-replay-calls", "2", "--csv", "", "--svg", "", "-q"});
  EXPECT_FALSE(no_replay.ok());
  EXPECT_NE(no_replay.output.find("give the transcript with --llm-replay FILE.jsonl"),
            std::string::npos)
      << no_replay.output;
  {
    std::ofstream t(dir / "t.jsonl");
    t << R"({"space": "kt_small", "strategy": "llm", "seed": 1, "call": 0, "reply": "{}"})"
      << "\n";
  }
  ProcessResult no_model =
      box.run({"compare", (dir / "kt.toml").string(), "--strategies", "llm", "--runs", "1",
               "--llm-replay", (dir / "t.jsonl").string(), "--llm-replay-calls", "1", "--csv",
               "", "--svg", "", "-q"});
  EXPECT_FALSE(no_model.ok());
  EXPECT_NE(no_model.output.find("--llm-replay-calls 1 asks a model from call 1"),
            std::string::npos)
      << no_model.output;
}

TEST(CompareTranscript, BadLinesNameTheFileLineAndField) {
  EXPECT_THROW(parse_transcript_line("not json", "t.jsonl:3"), UserError);
  try {
    parse_transcript_line(R"({"space": "s", "strategy": "llm", "seed": 1, "reply": ""})",
                          "t.jsonl:4");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("t.jsonl:4: field 'call'"), std::string::npos)
        << e.what();
  }
}

// The command line end to end: LLM strategies without a provider, a live comparison through the
// command provider with a transcript, and its replay, which writes the same CSV.
TEST(CompareCli, LiveRunWithTranscriptReplaysToTheSameCsv) {
  testing::TunaSandbox box("compare-guided");
  const fs::path dir = box.dir();
  {
    std::ofstream script(dir / "reply.sh");
    script << "cat > /dev/null\n"
              "echo '{\"configs\": [{\"bx\": 2, \"mode\": \"b\"}, {\"bx\": 4}]}'\n";
  }
  ASSERT_NO_FATAL_FAILURE(import_kt_spec(box));
  const std::vector<std::string> common = {
      "compare", (dir / "kt.toml").string(), "--strategies", "llm,hybrid,random", "--runs", "3",
      "--llm-runs", "2", "--budgets", "2,5", "--llm-initial-random", "1", "--svg", "", "-q"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };

  ProcessResult none = box.run(with({"--csv", ""}));
  EXPECT_FALSE(none.ok());
  EXPECT_NE(none.output.find("need an LLM provider"), std::string::npos) << none.output;
  EXPECT_NE(none.output.find("--llm-replay FILE.jsonl"), std::string::npos) << none.output;

  const std::string transcript = (dir / "t.jsonl").string();
  ProcessResult live = box.run(with({"--llm-provider", "command", "--llm-command",
                                     "sh " + (dir / "reply.sh").string(), "--llm-model",
                                     "scripted", "--llm-transcript", transcript, "--csv",
                                     (dir / "live.csv").string(), "--db",
                                     (dir / "x.db").string()}));
  ASSERT_TRUE(live.ok()) << live.output;
  ProcessResult replay =
      box.run(with({"--llm-replay", transcript, "--csv", (dir / "replay.csv").string()}));
  ASSERT_TRUE(replay.ok()) << replay.output;
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  std::string live_csv = read(dir / "live.csv");
  EXPECT_NE(live_csv.find("kt_small,llm,2,"), std::string::npos) << live_csv;
  EXPECT_NE(live_csv.find("llm_calls"), std::string::npos) << live_csv;
  EXPECT_EQ(live_csv, read(dir / "replay.csv"));
  EXPECT_EQ(replay.output.find("differed from the recorded prompt"), std::string::npos)
      << replay.output;

  // Replaying more runs than were recorded names what is missing before anything runs.
  std::vector<std::string> more = with({"--llm-replay", transcript, "--csv", ""});
  more[7] = "3";  // --llm-runs 3
  ProcessResult missing = box.run(more);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.output.find("space 'kt_small', strategy 'llm', seed 3"), std::string::npos)
      << missing.output;
}

// A sim spec without constraints still tells the model what its parameters do: the recording's
// own parameters have no descriptions, and the spec's were dropped when it stated no constraints
// (every pnpoly prompt of the LLM panel said "no description given").
TEST(CompareCli, ASpecWithoutConstraintsKeepsItsParameterDescriptionsInThePrompt) {
  testing::TunaSandbox box("compare-descriptions");
  const fs::path dir = box.dir();
  ASSERT_NO_FATAL_FAILURE(import_kt_spec(box));
  std::string text;
  {
    std::ifstream in(dir / "kt.toml");
    std::stringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  ASSERT_EQ(text.find("[constraints]"), std::string::npos) << text;
  const std::string param = "bx = { values = [1, 2, 4], default = 1 }";
  ASSERT_NE(text.find(param), std::string::npos) << text;
  text.replace(text.find(param), param.size(),
               "bx = { values = [1, 2, 4], default = 1, description = \"work items per lane\" }");
  std::ofstream(dir / "kt.toml") << text;
  {
    std::ofstream script(dir / "reply.sh");
    script << "cat > " << (dir / "request.json").string() << "\n"
           << "echo '{\"configs\": [{\"bx\": 2}]}'\n";
  }
  ProcessResult run = box.run({"compare", (dir / "kt.toml").string(), "--strategies", "llm",
                               "--runs", "1", "--budgets", "3", "--llm-initial-random", "1",
                               "--llm-rounds", "1", "--llm-provider", "command", "--llm-command",
                               "sh " + (dir / "reply.sh").string(), "--llm-model", "scripted",
                               "--csv", "", "--svg", "", "-q"});
  ASSERT_TRUE(run.ok()) << run.output;
  std::ifstream in(dir / "request.json");
  std::stringstream request;
  request << in.rdbuf();
  EXPECT_NE(request.str().find("bx: work items per lane"), std::string::npos) << request.str();
}

}  // namespace
}  // namespace tuna::search
