#pragma once
// LLM strategies in `tuna compare`: the LLM-guided search and the hybrid are not ask/tell; they
// run their own rounds through a SearchServices. Here that SearchServices answers from a recorded
// space instead of a device, with the budget counting and replay noise of run_on_recording, so
// their scores compare with the model-free strategies' one to one.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "backends/sim/recorded_space.hpp"
#include "search/compare.hpp"
#include "search/search_services.hpp"
#include "tuna/device.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::search {

// A space prepared once for every LLM run on it: the spec and device the LLM is told about, and
// the store context its runs are filed under.
struct GuidedSpace {
  const sim::RecordedSpace* recorded = nullptr;
  KernelSpec spec;    // source: the real kernel, or none (never the recording)
  DeviceInfo device;  // the recorded device when known, else a generic simulated one
  StoreContext context;
};

// Makes `spec` ready for the LLM on `recorded`: the device from its [device] table (else the
// recording's device name), and never the recording as its source (it holds the answers).
GuidedSpace prepare_guided_space(const sim::RecordedSpace& recorded, KernelSpec spec);

struct GuidedRunSettings {
  std::size_t max_evals = 0;
  sim::ReplayNoise noise = sim::ReplayNoise::Median;
  std::size_t batch_size = 1;   // for the hybrid's model-free stage
  std::filesystem::path store;  // non-empty: store the exchanges under a run of their own
  std::function<void(const std::string&)> on_log;  // each log line as it is written
};

// Runs one LLM strategy once on a recorded space. The trace holds the true (recorded median)
// time of the config the search believed best after each evaluation, as run_on_recording's
// does. Throws what the search throws (a provider failure without a fallback: UserError).
RunTrace run_guided_on_recording(const GuidedSpace& space, const GuidedRunKey& key,
                                 const GuidedSearchFactory& make_search,
                                 const GuidedRunSettings& settings);

}  // namespace tuna::search
