#pragma once
// What the driver offers a search that runs its own loop (the LLM-guided search, the hybrid),
// as opposed to an ask/tell Strategy. The driver keeps the budget, the store, reuse of stored
// results, progress and the final shootout; the search decides what to measure and when to
// re-time. Model-free strategies stay ask/tell (tuna/strategy.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "tuna/device.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::search {

class SearchServices {
 public:
  virtual ~SearchServices() = default;
  virtual const KernelSpec& spec() const = 0;
  virtual const Space& space() const = 0;
  virtual const DeviceInfo& device() const = 0;
  virtual std::uint64_t seed() const = 0;
  // Configs per batch for an ask/tell strategy that continues the search (fallback, hybrid).
  virtual std::size_t batch_size() const = 0;

  // Measures the configs (stored results are reused, configs already considered in this run are
  // skipped), stores and reports each result, and returns the results in order. Returns fewer
  // than asked, possibly none, once the budget is spent or a stop was requested.
  virtual std::vector<Result> evaluate(const std::vector<Config>& configs) = 0;
  // Times ok configs again (no correctness check). Re-timings are stored; failures come back
  // with their status. Returns none once a stop was requested.
  virtual std::vector<Result> retime(const std::vector<Config>& configs) = 0;
  // False once the evaluation or time budget is spent or a stop was requested.
  virtual bool budget_left() const = 0;

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
};

// What a search returns when it stopped because budget_left() turned false; the driver replaces
// it with the precise reason (evaluations, time, interrupt).
inline constexpr const char* kBudgetSpent = "budget spent";

// A search that drives its own rounds. Returns why it stopped, for the summary.
class GuidedSearch {
 public:
  virtual ~GuidedSearch() = default;
  virtual std::string name() const = 0;
  // The search's settings as one JSON object, for the run's log and the store. Never holds a
  // secret (API keys are left out).
  virtual std::string options_json() const = 0;
  virtual std::string run(SearchServices& services) = 0;
};

}  // namespace tuna::search
