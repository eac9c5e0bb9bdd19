#pragma once
// Console output of a tuning run: progress on stderr (one live line on a terminal, plain lines
// otherwise, so logs stay readable) and the final summary on stdout.
#include <cstdio>
#include <string>

#include "tuna/driver.hpp"

namespace tuna::report {

struct ConsoleOptions {
  bool live = false;     // rewrite one line in place (stderr is a terminal)
  bool verbose = false;  // a line for every result, even on a terminal
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
  bool live_line_shown_ = false;
};

// The final summary: best config, its median and spread, speedup over the default, GFLOP/s and
// GB/s, counts per status, what was reused.
void print_summary(std::FILE* out, const TuneSummary& summary, const Space& space);

// "1.234 ms", "56.7 us", "2.10 s".
std::string format_ms(double ms);

}  // namespace tuna::report
