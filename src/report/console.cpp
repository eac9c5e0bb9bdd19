#include "report/console.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tuna::report {

std::string format_ms(double ms) {
  if (ms >= 1000) return fmt::format("{:.3g} s", ms / 1000);
  if (ms >= 1) return fmt::format("{:.4g} ms", ms);
  return fmt::format("{:.4g} us", ms * 1000);
}

namespace {

std::string counts_text(const TuneProgress& p) {
  std::string text;
  for (const auto& [status, count] : p.counts) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", count, status_name(status));
  }
  return text;
}

std::string result_line(const Result& r) {
  std::string outcome = r.ok() ? format_ms(r.median_ms)
                               : fmt::format("{} ({}): {}", status_name(r.status), r.error_class,
                                             r.message);
  return fmt::format("{}{} {}", r.reused ? "[reused] " : "", r.key, outcome);
}

}  // namespace

ConsoleProgress::ConsoleProgress(ConsoleOptions options) : options_(options) {}

ConsoleProgress::~ConsoleProgress() { clear_live_line(); }

void ConsoleProgress::clear_live_line() {
  if (live_line_shown_) {
    std::fputs("\r\033[K", options_.out);
    live_line_shown_ = false;
  }
}

void ConsoleProgress::on_start(const KernelSpec& spec, const DeviceInfo& device,
                               const Space& space, const TuneOptions& options,
                               std::size_t stored_results) {
  budget_ = options.max_evals;
  SpaceSize size = space.size();
  fmt::print(options_.out, "tuning {} on {} ({})\n", spec.name, device.name, device.backend);
  fmt::print(options_.out, "space: {} parameters, {}{:.0f} valid configs of {:.0f}; strategy {}\n",
             space.params().size(), size.exact ? "" : "~", size.count, space.grid_size(),
             options.strategy.name);
  std::string budget = options.max_evals ? fmt::format("{} evaluations", options.max_evals)
                                         : std::string("no evaluation limit");
  if (options.time_budget_s > 0) budget += fmt::format(", {:g} s", options.time_budget_s);
  fmt::print(options_.out, "budget: {}; {} results already stored for this kernel, problem and "
                           "device{}\n",
             budget, stored_results, options.fresh ? " (ignored: --fresh)" : "");
  std::fflush(options_.out);
}

void ConsoleProgress::on_result(const Result& result, const TuneProgress& progress) {
  std::string count = budget_ ? fmt::format("{}/{}", progress.considered, budget_)
                              : fmt::format("{}", progress.considered);
  std::string best = progress.best ? format_ms(progress.best->median_ms) : std::string("-");
  if (options_.live && !options_.verbose) {
    std::string line = fmt::format("[{}] best {} | {} | {:.1f} s | {}", count, best,
                                   counts_text(progress), progress.elapsed_s, result_line(result));
    if (line.size() > 150) line = line.substr(0, 147) + "...";
    fmt::print(options_.out, "\r\033[K{}", line);
    live_line_shown_ = true;
  } else {
    fmt::print(options_.out, "[{}] {} | best {}\n", count, result_line(result), best);
  }
  std::fflush(options_.out);
}

void ConsoleProgress::on_phase(const std::string& message) {
  clear_live_line();
  if (message.empty()) return;  // only clears the live line
  fmt::print(options_.out, "{}\n", message);
  std::fflush(options_.out);
}

// Where the wall time went: throughput of the tuner itself. Compile time is wall time with a
// compile in flight, which overlaps kernel time on GPU backends, so the shares need not add up.
static void print_time_split(std::FILE* out, const TuneSummary& s) {
  const EvaluatorStats& st = s.evaluator_stats;
  if (s.elapsed_s <= 0 || s.progress.measured == 0) return;
  double per_minute = static_cast<double>(s.progress.measured) / s.elapsed_s * 60.0;
  double outside = std::max(0.0, s.elapsed_s - st.evaluate_wall_s);
  fmt::print(out,
             "time:    {:.0f} configs/min; compiling {:.1f} s, in the bench worker {:.1f} s, "
             "outside evaluation {:.1f} s ({:.0f}% of {:.1f} s)\n",
             per_minute, st.compile_wall_s, st.run_s, outside, 100.0 * outside / s.elapsed_s,
             s.elapsed_s);
}

void print_summary(std::FILE* out, const TuneSummary& s, const Space& space) {
  fmt::print(out, "\n== {} on {} ({})\n", s.kernel_name, s.device.name, s.strategy);
  fmt::print(out, "stopped: {}; {:.1f} s\n", s.stop_reason, s.elapsed_s);
  std::string counts;
  for (const auto& [status, count] : s.progress.counts) {
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, status_name(status));
  }
  fmt::print(out, "configs: {} ({} measured, {} reused from the store): {}\n",
             s.progress.considered, s.progress.measured, s.progress.reused, counts);
  print_time_split(out, s);
  if (!s.best) {
    fmt::print(out, "no config ran correctly.\n");
    return;
  }
  const Result& best = *s.best;
  fmt::print(out, "best:    {}\n", best.key);
  auto diff = space.diff(best.config, space.default_config());
  if (!diff.empty()) {
    std::string changes;
    for (const auto& [name, value] : diff) {
      changes += fmt::format("{}{}={}", changes.empty() ? "" : ", ", name, value.to_string());
    }
    fmt::print(out, "         (differs from the default in: {})\n", changes);
  }
  fmt::print(out, "time:    {} median over {} runs (min {}, max {}, spread {:.1f}%)\n",
             format_ms(best.median_ms), best.times_ms.size(), format_ms(best.min_ms()),
             format_ms(best.max_ms()), best.spread() * 100);
  if (s.best_throughput.gflops) fmt::print(out, "         {:.2f} GFLOP/s\n", *s.best_throughput.gflops);
  if (s.best_throughput.gbps) fmt::print(out, "         {:.2f} GB/s\n", *s.best_throughput.gbps);
  if (s.default_result && s.default_result->ok()) {
    fmt::print(out, "default: {} -> speedup {:.2f}x\n", format_ms(s.default_result->median_ms),
               s.default_result->median_ms / best.median_ms);
  } else if (s.default_result) {
    fmt::print(out, "default: {} ({})\n", status_name(s.default_result->status),
               s.default_result->message);
  }
  if (s.finalists.size() > 1) {
    fmt::print(out, "shootout of the {} best:\n", s.finalists.size());
    for (const Result& r : s.finalists) {
      fmt::print(out, "  {:>12}  {}\n", r.ok() ? format_ms(r.median_ms) : status_name(r.status),
                 r.key);
    }
  }
}

}  // namespace tuna::report
