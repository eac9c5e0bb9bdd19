#pragma once
// One search run on a recorded space, in-process: the SearchServices of `tuna compare`. Every
// strategy, model-free or LLM, runs through the same Search protocol as in a tuning run
// (tuna/search.hpp); here evaluations are replays, counted as the comparison counts them
// (failed configs count, configs outside the recorded space cost nothing), so the scores of all
// strategies compare one to one.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "search/compare.hpp"
#include "search/replay_pipeline.hpp"
#include "store/recorded_space.hpp"
#include "tuna/device.hpp"
#include "tuna/search.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::search {

// A space prepared once for every run on it: the spec and device a search (an LLM) is told about,
// and the store context LLM runs are filed under.
struct ReplaySpace {
  const sim::RecordedSpace* recorded = nullptr;
  KernelSpec spec;    // source: the real kernel, or none (never the recording)
  DeviceInfo device;  // the recorded device when known, else a generic simulated one
  StoreContext context;
  std::vector<std::shared_ptr<const Prior>> priors;  // for the model-free strategies
};

// Makes `spec` ready for the LLM on `recorded`: the device from its [device] table (else the
// recording's device name), and never the recording as its source (it holds the answers).
ReplaySpace prepare_replay_space(const sim::RecordedSpace& recorded, KernelSpec spec);

struct ReplayRunSettings {
  std::size_t max_evals = 0;
  sim::ReplayNoise noise = sim::ReplayNoise::Median;
  std::size_t batch_size = 1;   // configs per propose() of an ask/tell strategy
  std::filesystem::path store;  // non-empty: store an LLM run's exchanges under a run of its own
  bool guided = false;          // an LLM strategy: its trace carries GuidedRunInfo
  std::function<void(const std::string&)> on_log;  // each log line as it is written
  // Set: results arrive when a modelled evaluator would have them (replay_pipeline.hpp), and
  // `EvaluationStream::more` is asked as a tuning run's driver asks it; the trace gets the
  // modelled times. Unset: every config is measured at once, in the order asked.
  std::optional<PipelineShape> pipeline;
  // With a pipeline: the run ends once the modelled clock reaches this many seconds (0: no such
  // limit), as `tuna tune --time-budget` ends a real one; max_evals 0 then sets no limit on
  // evaluations (SearchServices::evaluations_left is SIZE_MAX, as in a run without --max-evals).
  double time_budget_s = 0;
};

// Builds the run's search; `log` writes to the run's log.
using SearchMaker =
    std::function<std::shared_ptr<Search>(const std::function<void(const std::string&)>& log)>;

// Runs the search once on a recorded space. The trace holds the true (recorded median) time of
// the config the search believed best after each evaluation. Throws what the search throws.
RunTrace run_search_on_recording(const ReplaySpace& space, const CompareRunKey& key,
                                 const SearchMaker& make_search,
                                 const ReplayRunSettings& settings);

}  // namespace tuna::search
