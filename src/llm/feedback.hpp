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

// A result that did not give a usable time: any status but ok, or ok without a finite,
// positive median.
bool counts_as_failed(const Result& r);
std::vector<const Result*> failed_results(const std::vector<Result>& results);
// The results with usable times, fastest first; equal times in key order, so the ranking is the
// same on every run.
std::vector<const Result*> ranked_results(const std::vector<Result>& results);
// Anchor 2: among the few configs after the best in `ranked` that are at most 1.5x slower, the
// one that differs from the best in the most parameters (the faster on ties); the runner-up when
// none is that close; nullptr with fewer than two results.
const Result* pick_second_anchor(const std::vector<const Result*>& ranked);
// One-step moves of `config` (Space::neighbours, radius 1) not yet measured, per parameter:
// "- BM (now 64): 32, 128", each line prefixed with `indent`. Empty when every move was
// measured.
std::string untried_moves(const FeedbackInputs& in, const Config& config,
                          const std::string& indent = {});
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
