#pragma once
// LLM strategies in `tuna compare`: the LLM-guided search and the hybrid, built by the
// comparison's factory (a live provider or a replayed transcript), run on a recorded space
// through replay_run.hpp as every strategy does; a failure names the run.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "search/compare.hpp"
#include "search/replay_run.hpp"
#include "tuna/search.hpp"
#include "tuna/device.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::search {

// Runs one LLM strategy once on a recorded space. The trace holds the true (recorded median)
// time of the config the search believed best after each evaluation, as run_on_recording's
// does. Throws what the search throws (a provider failure without a fallback: UserError).
RunTrace run_guided_on_recording(const ReplaySpace& space, const CompareRunKey& key,
                                 const GuidedSearchFactory& make_search,
                                 const ReplayRunSettings& settings);

}  // namespace tuna::search
