#pragma once
// Summaries of what was measured, for the refinement prompt. Every function is pure: it reads
// the results (one latest Result per config) and the default config and returns text. Configs
// are shown as sparse diffs from the default so the model sees what changed.
#include <string>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna::llm {

struct FeedbackInputs {
  const Space& space;
  const Config& default_config;
  const std::vector<Result>& results;  // one per config, latest timing (re-timed where re-timed)
};

std::vector<const Result*> failed_results(const std::vector<Result>& results);
// Best time, margin to the runner-up, how many configs measured / ok / failed, coverage of the
// space (measured over size).
std::string summarize_search_state(const FeedbackInputs& in);
// Two anchors: the best config and the best one that differs most from it, as diffs.
std::string summarize_anchors(const FeedbackInputs& in);
// Up to `limit` ok results, best first: time, relative to best, diff from the default.
std::string format_results(const FeedbackInputs& in, std::size_t limit = 12);
// Values shared by the top configs (per parameter: which values the top quarter uses).
std::string analyze_top_configs(const FeedbackInputs& in);
// Failed configs grouped by status and error class, each with its one-line reason and diff.
std::string summarize_failed_configs(const FeedbackInputs& in, std::size_t limit = 10);
// Registers, shared memory, spills, occupancy of the top configs, when the backend reported
// them; empty when no result has resources.
std::string summarize_resources(const FeedbackInputs& in, std::size_t limit = 6);

}  // namespace tuna::llm
