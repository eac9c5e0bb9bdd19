#pragma once
// Console output of a tuning run: progress on stderr (one live line on a terminal, plain lines
// otherwise, so logs stay readable) and the final summary on stdout.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "tuna/driver.hpp"

namespace tuna::report {

struct ConsoleOptions {
  bool live = false;   // rewrite one line in place (stderr is a terminal)
  int verbosity = 0;   // 1 (-v): a line per result even on a terminal; 2 (-vv): and its details
  bool quiet = false;  // nothing at all (the summary is the caller's)
  std::FILE* out = stderr;
};

class ConsoleProgress : public TuneObserver {
 public:
  explicit ConsoleProgress(ConsoleOptions options);
  ~ConsoleProgress() override;
  void on_start(const KernelSpec& spec, const DeviceInfo& device, const Space& space,
                const TuneOptions& options, std::size_t stored_results) override;
  void on_result(const Result& result, const TuneProgress& progress) override;
  void on_phase(const std::string& message) override;

 private:
  void clear_live_line();
  ConsoleOptions options_;
  std::size_t budget_ = 0;
  double time_budget_s_ = 0;
  bool live_line_shown_ = false;
};

// The final summary: best config, its median and spread, speedup over the default, GFLOP/s and
// GB/s, counts per status, what was reused.
void print_summary(std::FILE* out, const TuneSummary& summary, const Space& space);
// The share of the run's wall time with no config in this host's bench workers (averaged over
// its devices): how long the devices waited for the tuner rather than measured.
double device_idle_share(const TuneSummary& summary);

// "1.234 ms", "56.7 us", "2.10 s".
std::string format_ms(double ms);
// A duration for people: "4.2 s", "3 min 05 s", "1 h 02 min".
std::string format_duration(double seconds);

// Seconds left, from the mean time per config considered so far and the configs left in the
// budget, capped by what remains of the time budget; nullopt with neither budget or before
// the first config.
std::optional<double> estimate_remaining_s(std::size_t considered, double elapsed_s,
                                           std::size_t max_evals, double time_budget_s);

// The live progress line: done/planned, the best so far, failures, elapsed and left, the latest
// result; at most `width` characters.
std::string progress_line(const Result& latest, const TuneProgress& progress,
                          std::size_t max_evals, double time_budget_s, std::size_t width = 150);
// One plain line per result (non-terminal or -v); `with_device` (-vv) adds the device that
// measured it, when the result names one.
std::string result_line(const Result& result, const TuneProgress& progress,
                        std::size_t max_evals, double time_budget_s, bool with_device = false);
// -vv: what happened to one config, one fact per line (compile time, repetitions, the times,
// resources, the error).
std::vector<std::string> result_details(const Result& result);

}  // namespace tuna::report
