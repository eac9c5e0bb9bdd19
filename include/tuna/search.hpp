#pragma once
// The search protocol: every strategy, model-free or LLM-guided, is a Search that the run
// drives through SearchServices. The run (tuna::tune, or `tuna compare` on a recording) keeps
// the budget, the store, reuse of stored results, progress and the final shootout; the search
// decides what to measure and when to re-time. Model-free strategies are written as ask/tell
// Strategies (tuna/strategy.hpp) and run by the one ask/tell loop of src/search/.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tuna/device.hpp"
#include "tuna/prior.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna {

// How a search follows a batch while it is measured, so the devices need not wait for a whole
// batch to end (lookahead). Both are optional.
struct EvaluationStream {
  // Each result as it is recorded (stored results reused, and results of configs `more` added,
  // included), in the order they are recorded.
  std::function<void(const Result&)> on_result;
  // Asked while the batch's last configs still compile or run: up to `n` more configs to
  // measure in the same batch. Empty: none for now.
  std::function<std::vector<Config>(std::size_t n)> more;
};

// How time passes in a run while a search waits for something other than the devices (an LLM's
// reply): whether it can have configs measured meanwhile, and how it knows the wait is over.
enum class RunClock {
  None,      // measuring takes no time (a replay without a modelled evaluator): nothing overlaps
  Wall,      // a tuning run: the wait is real, and the devices can measure during it
  Modelled,  // a replay with a modelled evaluator (`tuna compare --pipeline`): clock_s() is its
             // time, and a wait is modelled from what it cost when it was recorded
};

class SearchServices {
 public:
  virtual ~SearchServices() = default;
  virtual const KernelSpec& spec() const = 0;
  virtual const Space& space() const = 0;
  virtual const DeviceInfo& device() const = 0;
  virtual std::uint64_t seed() const = 0;
  // Configs per batch for an ask/tell strategy.
  virtual std::size_t batch_size() const = 0;

  // Measures the configs (stored results are reused, configs already considered in this run are
  // skipped), stores and reports each result, and returns the results in order (then those that
  // `stream.more` added). Returns fewer than asked, possibly none, once the budget is spent or a
  // stop was requested. A run that cannot measure while asking for more ignores `stream.more`.
  virtual std::vector<Result> evaluate(const std::vector<Config>& configs,
                                       const EvaluationStream& stream) = 0;
  std::vector<Result> evaluate(const std::vector<Config>& configs) {
    return evaluate(configs, EvaluationStream{});
  }
  // Times ok configs again (no correctness check). Re-timings are stored; failures come back
  // with their status. Returns none once a stop was requested.
  virtual std::vector<Result> retime(const std::vector<Config>& configs) = 0;
  // False once the evaluation or time budget is spent or a stop was requested.
  virtual bool budget_left() const = 0;
  // Evaluations the budget still allows (SIZE_MAX without a limit on evaluations).
  virtual std::size_t evaluations_left() const = 0;

  // A line for the run's log (progress output, phase lines).
  virtual void log(const std::string& line) = 0;
  // Lowers the compile timeout to min(current, seconds) until restore_compile_timeout().
  virtual void cap_compile_timeout(double seconds) = 0;
  virtual void restore_compile_timeout() = 0;
  // The compile timeout in force now (capped or not), for prompts that mention it.
  virtual double compile_timeout_s() const = 0;
  // Stores one LLM exchange under this run (the caller has already left the key out).
  virtual void record_llm_exchange(const LlmExchange& exchange) = 0;
  virtual std::int64_t run_id() const = 0;
  // The run's clock (RunClock) and its time in seconds since the run began. On a modelled clock
  // a search that waited for something, with nothing left to measure, says until when
  // (idle_until), so that the devices' idle time is modelled too; elsewhere that is a no-op.
  virtual RunClock clock() const { return RunClock::None; }
  virtual double clock_s() const { return 0; }
  virtual void idle_until(double /*clock_s*/) {}
  // What the same kernel measured elsewhere (tuna/prior.hpp): the caller's priors and the
  // store's, for searches that can use them (the hybrid's surrogate, the LLM's first prompt).
  virtual const std::vector<std::shared_ptr<const Prior>>& priors() const { return no_priors_; }

 private:
  const std::vector<std::shared_ptr<const Prior>> no_priors_;
};

// What a search returns when it stopped because budget_left() turned false; the run replaces it
// with the precise reason (evaluations, time, interrupt).
inline constexpr const char* kBudgetSpent = "budget spent";

class Search {
 public:
  virtual ~Search() = default;
  virtual std::string name() const = 0;
  // The search's settings as one JSON object, for the run's log and the store. Never holds a
  // secret (API keys are left out).
  virtual std::string options_json() const = 0;
  // Runs the search to its end or the budget's. Returns why it stopped, for the summary.
  virtual std::string run(SearchServices& services) = 0;
};

}  // namespace tuna
