// The one search protocol (tuna/search.hpp): the ask/tell loop every model-free strategy runs
// through, the registry built from strategies.def, and a Search written against the public API
// alone driven by tuna::tune on a recording.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>

#include "search/ask_tell_loop.hpp"
#include "search/registry.hpp"
#include "store/recording_spec.hpp"
#include "tuna/driver.hpp"
#include "tuna/errors.hpp"
#include "tuna/search.hpp"
#include "tuna/store.hpp"
#include "tuna/strategy.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

Space line_space(int n) {
  std::vector<Value> values;
  for (int i = 0; i < n; ++i) values.emplace_back(i);
  return Space({Parameter::list("X", values, 0)}, {});
}

Config x(const Space& space, int v) {
  Config c = space.default_config();
  c[0] = Value(v);
  return c;
}

// A run in memory: every config is "measured" at once, X milliseconds; `more` is asked once per
// evaluate call when the search offers it, as the driver does while a batch is in flight.
class MemoryServices final : public SearchServices {
 public:
  explicit MemoryServices(const Space& space, std::size_t max_evals, std::size_t batch)
      : space_(space), max_evals_(max_evals), batch_(batch) {}

  const KernelSpec& spec() const override { return spec_; }
  const Space& space() const override { return space_; }
  const DeviceInfo& device() const override { return device_; }
  std::uint64_t seed() const override { return 0; }
  using SearchServices::evaluate;
  std::size_t batch_size() const override { return batch_; }
  std::vector<Result> evaluate(const std::vector<Config>& configs,
                               const EvaluationStream& stream) override {
    ++evaluate_calls;
    std::vector<Result> out;
    for (const Config& c : configs) measure(c, stream, out);
    if (stream.more && budget_left()) {
      ++more_calls;
      for (const Config& c : stream.more(1)) measure(c, stream, out);
    }
    return out;
  }
  std::vector<Result> retime(const std::vector<Config>&) override { return {}; }
  bool budget_left() const override { return measured.size() < max_evals_; }
  std::size_t evaluations_left() const override { return max_evals_ - measured.size(); }
  void log(const std::string&) override {}
  void cap_compile_timeout(double) override {}
  void restore_compile_timeout() override {}
  double compile_timeout_s() const override { return 60; }
  void record_llm_exchange(const LlmExchange&) override {}
  std::int64_t run_id() const override { return 0; }

  std::vector<std::string> measured;
  int evaluate_calls = 0, more_calls = 0;

 private:
  void measure(const Config& c, const EvaluationStream& stream, std::vector<Result>& out) {
    std::string key = space_.key(c);
    if (!budget_left() || std::count(measured.begin(), measured.end(), key)) return;
    measured.push_back(key);
    Result r;
    r.config = c;
    r.key = key;
    r.status = Status::Ok;
    r.median_ms = c[0].as_double() + 1;
    if (stream.on_result) stream.on_result(r);
    out.push_back(r);
  }

  const Space& space_;
  std::size_t max_evals_, batch_;
  KernelSpec spec_;
  DeviceInfo device_;
};

// Proposes from a script; records what it observed, in order.
class ScriptedStrategy final : public Strategy {
 public:
  ScriptedStrategy(std::deque<Config> script, bool while_measuring)
      : script_(std::move(script)), while_measuring_(while_measuring) {}
  std::string name() const override { return "scripted"; }
  bool proposes_while_measuring() const override { return while_measuring_; }
  std::vector<Config> propose(std::size_t n) override {
    ++proposals;
    std::vector<Config> out;
    while (out.size() < n && !script_.empty()) {
      out.push_back(script_.front());
      script_.pop_front();
    }
    return out;
  }
  void observe(const std::vector<Result>& results) override {
    for (const Result& r : results) observed.push_back(r.key);
  }

  std::vector<std::string> observed;
  int proposals = 0;

 private:
  std::deque<Config> script_;
  bool while_measuring_;
};

std::deque<Config> first(const Space& space, int n) {
  std::deque<Config> out;
  for (int i = 0; i < n; ++i) out.push_back(x(space, i));
  return out;
}

}  // namespace

TEST(AskTellLoop, StopsAtTheBudgetAndTheStrategySeesEveryResultOnceInOrder) {
  Space space = line_space(20);
  MemoryServices services(space, 7, 3);
  ScriptedStrategy strategy(first(space, 20), false);
  search::AskTellStretch stretch = search::run_ask_tell(services, strategy, {});
  EXPECT_TRUE(stretch.stopped.empty()) << stretch.stopped;
  EXPECT_EQ(stretch.measured.size(), 7u);
  EXPECT_EQ(strategy.observed, services.measured);
  // Never asked for more than the budget allows: the last batch asks for 1, not 3.
  EXPECT_EQ(strategy.proposals, 3);
}

TEST(AskTellLoop, LookaheadAsksForMoreOnlyOfStrategiesThatProposeWhileMeasuring) {
  Space space = line_space(20);
  for (bool while_measuring : {false, true}) {
    SCOPED_TRACE(while_measuring);
    MemoryServices services(space, 8, 2);
    ScriptedStrategy strategy(first(space, 20), while_measuring);
    search::AskTellLoopOptions loop;
    loop.lookahead = true;
    search::run_ask_tell(services, strategy, loop);
    EXPECT_EQ(services.more_calls > 0, while_measuring);
    EXPECT_EQ(services.measured.size(), 8u);
    EXPECT_EQ(strategy.observed, services.measured);
  }
}

TEST(AskTellLoop, TheFirstBatchIsMeasuredFirstAndLookaheadJoinsItInsteadOfWaitingForIt) {
  // A tuning run's default config: with lookahead the strategy's first proposals go into the
  // same evaluation (the compile pool and the device start at once); without, the default's
  // batch is measured alone, as before lookahead existed. Either way the strategy sees it.
  Space space = line_space(20);
  for (bool lookahead : {false, true}) {
    SCOPED_TRACE(lookahead);
    MemoryServices services(space, 6, 2);
    std::deque<Config> script;
    for (int v = 5; v < 20; ++v) script.push_back(x(space, v));
    ScriptedStrategy strategy(std::move(script), true);
    search::AskTellLoopOptions loop;
    loop.lookahead = lookahead;
    loop.first_batch = {space.default_config()};
    search::run_ask_tell(services, strategy, loop);
    ASSERT_EQ(services.measured.size(), 6u);
    EXPECT_EQ(services.measured.front(), "X=0");
    // With lookahead, X=5 was measured in the default's own evaluate call.
    EXPECT_EQ(services.measured[1], "X=5");
    EXPECT_EQ(services.evaluate_calls, lookahead ? 3 : 4);
    EXPECT_EQ(strategy.observed, services.measured);
  }
}

TEST(AskTellLoop, EveryModelFreeStrategyCanBeAskedWhileItsConfigsAreMeasured) {
  // The driver's lookahead keeps the devices busy only for strategies that say yes; each of
  // these makes its next proposals from the results in so far (docs/strategies.md).
  Space space = line_space(50);
  for (const char* name : {"random", "exhaustive", "surrogate", "pattern", "differential_evolution",
                           "simulated_annealing", "genetic_algorithm"}) {
    EXPECT_TRUE(make_strategy({name, 1}, space)->proposes_while_measuring()) << name;
  }
}

TEST(AskTellLoop, AStretchWithALimitStopsThereAndReportsWhyAStrategyEnded) {
  Space space = line_space(20);
  MemoryServices services(space, 100, 4);
  ScriptedStrategy strategy(first(space, 5), true);
  search::AskTellLoopOptions loop;
  loop.limit = 3;
  loop.lookahead = true;  // ignored with a limit: the stretch must end exactly there
  EXPECT_EQ(search::run_ask_tell(services, strategy, loop).measured.size(), 3u);
  EXPECT_EQ(services.more_calls, 0);
  search::AskTellStretch rest = search::run_ask_tell(services, strategy, {});
  EXPECT_EQ(rest.measured.size(), 2u);
  EXPECT_NE(rest.stopped.find("scripted has nothing more to propose"), std::string::npos)
      << rest.stopped;
}

TEST(AskTellLoop, AStrategyThatOnlyRepeatsConfigsIsStoppedNotLoopedForever) {
  Space space = line_space(4);
  MemoryServices services(space, 100, 1);
  std::deque<Config> script;
  script.push_back(x(space, 1));
  for (int i = 0; i < 50; ++i) script.push_back(x(space, 0));
  services.evaluate({x(space, 0)});  // measured before the strategy started (the default)
  ScriptedStrategy strategy(std::move(script), false);
  search::AskTellStretch stretch = search::run_ask_tell(services, strategy, {});
  EXPECT_EQ(stretch.measured.size(), 1u);
  EXPECT_NE(stretch.stopped.find("proposed only configs already considered"), std::string::npos)
      << stretch.stopped;
  EXPECT_LT(strategy.proposals, 20);
}

TEST(StrategyRegistry, EveryStrategyIsListedAndModelFreeOnesAreMadeByName) {
  Space space = line_space(8);
  std::vector<std::string> names;
  for (const auto& [name, help] : strategy_names()) {
    EXPECT_FALSE(help.empty()) << name;
    names.push_back(name);
    if (search::is_guided_strategy(name)) {
      EXPECT_THROW(make_strategy({name, 0}, space), UserError) << name;
    } else {
      std::unique_ptr<Strategy> s = make_strategy({name, 1}, space);
      EXPECT_FALSE(s->propose(2).empty()) << name;
    }
  }
  for (const char* expected : {"auto", "random", "surrogate", "pattern", "llm", "hybrid"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
}

TEST(StrategyRegistry, AnLlmStrategyWithoutAProviderSaysWhatItNeeds) {
  try {
    search::make_search({"hybrid", 0});
    FAIL() << "hybrid made without a provider";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("needs an LLM provider"), std::string::npos) << e.what();
  }
  try {
    search::make_search({"simulated-anealing", 0});
    FAIL() << "unknown name accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("simulated_annealing"), std::string::npos) << e.what();
  }
}

namespace {

// Written against the public API only: measures the configs in the recording's order, two at a
// time, re-timing the best at the end.
class InOrderSearch final : public Search {
 public:
  std::string name() const override { return "in_order"; }
  std::string options_json() const override { return R"({"pairs": true})"; }
  std::string run(SearchServices& services) override {
    std::vector<Config> all = services.space().enumerate_all();
    for (std::size_t i = 0; i < all.size() && services.budget_left(); i += 2) {
      std::vector<Config> pair(all.begin() + i, all.begin() + std::min(i + 2, all.size()));
      measured += services.evaluate(pair).size();
    }
    return kBudgetSpent;
  }
  std::size_t measured = 0;
};

}  // namespace

TEST(SearchProtocol, ASearchOfTheApplicationsOwnRunsThroughTune) {
  fs::path dir = fs::temp_directory_path() / ("tuna_search_protocol_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  KernelSpec spec =
      sim::spec_from_recording(fs::path(TUNA_SOURCE_DIR) / "tests" / "data" / "kt_small.json");
  auto search = std::make_shared<InOrderSearch>();
  TuneOptions o;
  o.max_evals = 5;
  o.evaluator.exe = TUNA_BINARY;
  o.evaluator.cache_dir = dir / "cache";
  o.evaluator.compile_jobs = 1;
  o.search = search;
  TuneSummary summary;
  {
    Store store(dir / "tuna.db");
    TuneObserver quiet;
    summary = tune(spec, o, store, quiet);
  }
  EXPECT_EQ(summary.strategy, "in_order");
  EXPECT_EQ(search->measured, 5u);
  EXPECT_EQ(summary.progress.considered, 5u);
  EXPECT_NE(summary.stop_reason.find("evaluation budget reached (5)"), std::string::npos)
      << summary.stop_reason;
  ASSERT_TRUE(summary.best.has_value());
  Store store(dir / "tuna.db");
  EXPECT_EQ(store.run_results(summary.run_id).size(), 5u);
  fs::remove_all(dir);
}

}  // namespace tuna
