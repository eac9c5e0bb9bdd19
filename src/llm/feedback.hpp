#pragma once
// Summaries of what was measured, for the refinement prompt. Every function is pure: it reads
// the results (one latest Result per config) and the default config and returns text or
// numbers. Configs are shown as diffs from the default so the model sees what changed.
// feedback.cpp: ranking, noise, search state, anchors, the results table, patterns, resources;
// feedback_failures.cpp: failures and where they concentrate; feedback_moves.cpp: which
// one-parameter moves of an anchor are worth measuring next; feedback_interactions.cpp: the
// pairs of parameters whose effects depend on each other.
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "tuna/device.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::llm {

struct FeedbackInputs {
  const Space& space;
  const Config& default_config;
  const std::vector<Result>& results;  // one per config, latest timing (re-timed where re-timed)
  // Optional, for predicting the resources of unmeasured moves (launch geometry, device
  // limits); the summaries work without them.
  const KernelSpec* spec = nullptr;
  const DeviceInfo* device = nullptr;
};

// Every measured config is listed up to this many results in all (ok and failed). A full run of
// the LLM search measures 11 seeds + 4 rounds x 15 = 71 configs, the hybrid's first stage up to
// about 100; at one short line each (~15-25 tokens) 150 lines cost about 3k tokens, small next
// to the kernel source. Past it, two thirds of that many lines go to the fastest configs and
// one third to failures; the slow tail is collapsed into per-value counts.
inline constexpr std::size_t kListEveryConfigUpTo = 150;

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

// Relative spread of one config's repetitions: (p75 - p25) / median. The interquartile range
// ignores the odd outlier (a context switch, a clock change) that p10..p90 would let in.
// nullopt with fewer than two times or a non-positive median.
std::optional<double> relative_spread(const Result& r);
struct TimingNoise {
  std::optional<double> typical;  // median relative spread over the ok configs timed twice+
  std::size_t sampled = 0;        // how many configs that median is taken over
  double significant = 0;         // smallest relative difference treated as real
};
TimingNoise timing_noise(const std::vector<Result>& results);

// Best time, margin to the runner-up, the timing noise and whether the top configs are tied
// within it, how many configs measured / ok / failed, coverage of the space.
std::string summarize_search_state(const FeedbackInputs& in);
// Two anchors: the best config and the best one that differs most from it, as diffs.
std::string summarize_anchors(const FeedbackInputs& in);
// Every ok result, fastest first, one line each: rank, time, spread, ratio to the best, diff
// from the default; past kListEveryConfigUpTo results the slow tail is collapsed (see above).
// Starts with a legend and the statement that listed configs must not be proposed again.
std::string format_results(const FeedbackInputs& in,
                           std::size_t list_all_up_to = kListEveryConfigUpTo);
// Values shared by the top configs (per parameter: which values the top quarter uses).
std::string analyze_top_configs(const FeedbackInputs& in);
// Registers, shared memory, spills, occupancy of the top configs, when the backend reported
// them; empty when no result has resources. Bookkeeping times (names ending in _ms) are left
// out: they describe the measurement, not the kernel.
std::string summarize_resources(const FeedbackInputs& in, std::size_t limit = 6);

// --- failures (feedback_failures.cpp) ---

// What a status means, in words, for failures whose message says nothing more.
const char* status_meaning(Status status);
// True when the message only repeats the recorded status ("recorded as compile_error"), as in
// replays of recorded spaces.
bool message_is_bare_record(const Result& r);
// Failed configs grouped by status (with what it means) and error class, each with its
// one-line reason and diff; every failure up to kListEveryConfigUpTo results in all.
std::string summarize_failed_configs(const FeedbackInputs& in,
                                     std::size_t list_all_up_to = kListEveryConfigUpTo);

// Per parameter value: how the measured configs that use it fared.
struct ValueStats {
  std::size_t measured = 0;
  std::size_t failed = 0;
  std::size_t with_resources = 0;  // ok configs that report resources
  std::size_t spilled = 0;         // ... whose resources show register spills
  double best_ms = std::numeric_limits<double>::infinity();  // fastest ok time
};
// [parameter index][value index in Parameter::values]; results off the lists are skipped.
using ValueTable = std::vector<std::vector<ValueStats>>;
ValueTable value_table(const FeedbackInputs& in);
// The share of all results that failed.
double failure_baseline(const std::vector<Result>& results);
// A value fails clearly more often than the rest: at least two failures, at least half of its
// configs, and a rate at least 25 points above the baseline.
bool failure_prone(const ValueStats& stats, double baseline);
// Which parameter values (and pairs of values) are over-represented among the failures, and
// which values never failed; empty when nothing failed.
std::string summarize_failure_rates(const FeedbackInputs& in);

// --- next moves (feedback_moves.cpp) ---

// How much a parameter has mattered so far: the best time reached with each of its values,
// slowest over fastest (1 when fewer than two values ran).
struct ParamSensitivity {
  std::size_t values_ran = 0;  // values with at least one ok config
  double ratio = 1;
};
std::vector<ParamSensitivity> parameter_sensitivity(const FeedbackInputs& in,
                                                    const ValueTable& table);
// One-step moves of `config` (Space::neighbours, radius 1) not yet measured, per parameter:
// "- BM (now 64): 32, 128", each line prefixed with `indent`. Empty when every move was
// measured.
std::string untried_moves(const FeedbackInputs& in, const Config& config,
                          const std::string& indent = {});
// The unmeasured one-step moves of `config` worth measuring, at most `limit` parameters, most
// promising first, each with why: parameters whose values changed the time most, then ones
// never varied, then ones that showed little effect. Moves to values that failed in most of
// their configs, that spilled in most, or whose predicted resources exceed the device's
// limits are left out, and a last line says which and why. Empty when nothing is left.
std::string suggested_moves(const FeedbackInputs& in, const Config& config, std::size_t limit,
                            const std::string& indent = {});

// --- switches flipped in pairs (feedback_switch_pairs.cpp) ---

// Unmeasured two-parameter moves of `config` that flip a two-valued parameter (a switch) never
// measured near it, together with another switch, at most `limit`: "- use_shmem 1 -> 0 with
// read_only 1 -> 0", each line prefixed with `indent`. On/off options often pay only in
// combination, so one flip alone can read as a loss and hide the better family. Empty when
// there is none.
std::string paired_switch_moves(const FeedbackInputs& in, const Config& config,
                                std::size_t limit, const std::string& indent = {});

// --- pairs of parameters that interact (feedback_interactions.cpp) ---

// Shown from this many correct results on: fewer leave most cells of any table empty.
inline constexpr std::size_t kInteractionMinResults = 8;
// A pair is shown when the best time of some pair of values departs from what the two
// parameters' separate effects predict by at least this fraction (5%: beyond the timing noise of
// most kernels, below the effects the tables are for).
inline constexpr double kInteractionMinEffect = 0.05;
// Up to `max_tables` tables, strongest interaction first, over parameters of 2 to `max_values`
// values: for each pair of values, the best time measured with both relative to the best
// config, "-" where the pair was never measured. Empty when no pair interacts by
// kInteractionMinEffect or fewer than kInteractionMinResults configs ran.
std::string summarize_interactions(const FeedbackInputs& in, std::size_t max_tables = 2,
                                   std::size_t max_values = 12);

}  // namespace tuna::llm
