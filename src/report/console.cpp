#include "report/console.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tuna::report {

std::string format_ms(double ms) {
  if (ms >= 1000) return fmt::format("{:.3g} s", ms / 1000);
  if (ms >= 1) return fmt::format("{:.4g} ms", ms);
  return fmt::format("{:.4g} us", ms * 1000);
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

std::optional<double> estimate_remaining_s(std::size_t considered, double elapsed_s,
                                           std::size_t max_evals, double time_budget_s) {
  std::optional<double> left;
  if (max_evals > 0 && considered > 0) {
    double per_config = elapsed_s / static_cast<double>(considered);
    left = per_config * static_cast<double>(max_evals > considered ? max_evals - considered : 0);
  }
  if (time_budget_s > 0) {
    double time_left = std::max(0.0, time_budget_s - elapsed_s);
    left = left ? std::min(*left, time_left) : time_left;
  }
  return left;
}

namespace {

std::size_t failures(const TuneProgress& p) {
  std::size_t n = 0;
  for (const auto& [status, count] : p.counts) n += status == Status::Ok ? 0 : count;
  return n;
}

std::string done_text(const TuneProgress& p, std::size_t max_evals) {
  return max_evals ? fmt::format("{}/{}", p.considered, max_evals) : fmt::format("{}", p.considered);
}

std::string outcome_text(const Result& r) {
  std::string outcome = r.ok() ? format_ms(r.median_ms)
                               : fmt::format("{} ({}): {}", status_name(r.status), r.error_class,
                                             r.message);
  return fmt::format("{}{} {}", r.reused ? "[reused] " : "", r.key, outcome);
}

std::string time_text(const TuneProgress& p, std::size_t max_evals, double time_budget_s) {
  std::string text = format_duration(p.elapsed_s);
  if (auto left = estimate_remaining_s(p.considered, p.elapsed_s, max_evals, time_budget_s))
    text += ", ~" + format_duration(*left) + " left";
  return text;
}

std::string best_text(const TuneProgress& p) {
  return p.best ? format_ms(p.best->median_ms) : std::string("-");
}

}  // namespace

std::string progress_line(const Result& latest, const TuneProgress& p, std::size_t max_evals,
                          double time_budget_s, std::size_t width) {
  std::string line = fmt::format("[{}] best {} | {} failed | {} | {}", done_text(p, max_evals),
                                 best_text(p), failures(p), time_text(p, max_evals, time_budget_s),
                                 outcome_text(latest));
  if (width >= 3 && line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

std::string result_line(const Result& r, const TuneProgress& p, std::size_t max_evals,
                        double time_budget_s, bool with_device) {
  std::string device = with_device && !r.device.empty() ? " | " + r.device : std::string();
  return fmt::format("[{}] {}{} | best {} | {}", done_text(p, max_evals), outcome_text(r), device,
                     best_text(p), time_text(p, max_evals, time_budget_s));
}

std::vector<std::string> result_details(const Result& r) {
  std::vector<std::string> lines;
  if (r.reused) lines.push_back("reused from the store (not measured in this run)");
  lines.push_back(r.compile_ms > 0 ? fmt::format("compile: {:.0f} ms", r.compile_ms)
                                   : std::string("compile: cached"));
  if (r.ok()) {
    lines.push_back(fmt::format("run: {} repetitions, median {}, min {}, max {}, spread {:.1f}%",
                                r.times_ms.size(), format_ms(r.median_ms), format_ms(r.min_ms()),
                                format_ms(r.max_ms()), r.spread() * 100));
    if (r.max_abs_error > 0) lines.push_back(fmt::format("check: max abs error {:.3g}", r.max_abs_error));
  } else {
    lines.push_back(fmt::format("error: {} ({})", status_name(r.status), r.error_class));
    if (!r.message.empty()) lines.push_back("  " + r.message);
  }
  if (!r.resources.empty()) {
    std::string res;
    for (const auto& [name, value] : r.resources)
      res += fmt::format("{}{}={:g}", res.empty() ? "" : ", ", name, value);
    lines.push_back("resources: " + res);
  }
  return lines;
}

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
  time_budget_s_ = options.time_budget_s;
  if (options_.quiet) return;
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
  if (options_.quiet) return;
  if (options_.live && options_.verbosity == 0) {
    fmt::print(options_.out, "\r\033[K{}",
               progress_line(result, progress, budget_, time_budget_s_));
    live_line_shown_ = true;
  } else {
    // Which card measured a config matters when several share the run; at -vv only, so the
    // default line stays short.
    fmt::print(options_.out, "{}\n",
               result_line(result, progress, budget_, time_budget_s_, options_.verbosity >= 2));
    if (options_.verbosity >= 2)
      for (const std::string& line : result_details(result))
        fmt::print(options_.out, "    {}\n", line);
  }
  std::fflush(options_.out);
}

void ConsoleProgress::on_phase(const std::string& message) {
  clear_live_line();
  if (message.empty() || options_.quiet) return;  // an empty message only clears the live line
  fmt::print(options_.out, "{}\n", message);
  std::fflush(options_.out);
}

// With several devices (or cluster ranks): how many configs each ran, and how busy this host's
// were, which shows whether the compile pool kept them fed.
static void print_device_split(std::FILE* out, const TuneSummary& s) {
  const EvaluatorStats& st = s.evaluator_stats;
  if (st.ran_on.size() < 2) return;
  std::string line;
  for (const auto& [label, count] : st.ran_on) {
    line += fmt::format("{}{} {}", line.empty() ? "" : ", ", label, count);
    auto busy = st.busy_s_on.find(label);
    if (busy != st.busy_s_on.end() && s.elapsed_s > 0) {
      line += fmt::format(" (busy {:.0f}%)", 100.0 * busy->second / s.elapsed_s);
    }
  }
  fmt::print(out, "devices: {}\n", line);
}

double device_idle_share(const TuneSummary& s) {
  const EvaluatorStats& st = s.evaluator_stats;
  const double devices = static_cast<double>(std::max<std::size_t>(1, st.busy_s_on.size()));
  if (s.elapsed_s <= 0) return 0;
  return std::clamp(1.0 - st.run_s / (s.elapsed_s * devices), 0.0, 1.0);
}

// Seconds the bench workers spent getting ready within the run (parsing the spec, making the
// inputs, the reference's compile, run and keeping): device time no config could use. The
// workers' first start is in the setup before the run.
static double preparing_s(const EvaluatorStats& st) {
  double total = 0;
  for (const char* phase :
       {"spec", "arguments", "reference_compile", "reference_run", "reference_kept"})
    if (auto it = st.worker_phase_s.find(phase); it != st.worker_phase_s.end())
      total += it->second;
  return total;
}

// Where the wall time went: throughput of the tuner itself. Compile time is wall time with a
// compile in flight, which overlaps kernel time on GPU backends, so the shares need not add up.
static void print_time_split(std::FILE* out, const TuneSummary& s) {
  const EvaluatorStats& st = s.evaluator_stats;
  if (s.elapsed_s <= 0 || s.progress.measured == 0) return;
  if (s.device.backend == "sim") {
    fmt::print(out, "time:    {:.1f} s simulated: the recorded compile and benchmark time of the "
                    "configs replayed\n", s.elapsed_s);
    return;
  }
  double per_minute = static_cast<double>(s.progress.measured) / s.elapsed_s * 60.0;
  double outside = std::max(0.0, s.elapsed_s - st.evaluate_wall_s);
  const double preparing = preparing_s(st);
  const std::string idle =
      preparing >= 0.1 ? fmt::format("device idle {:.0f}%, {:.1f} s of it preparing the inputs "
                                      "and the reference",
                                      100.0 * device_idle_share(s), preparing)
                        : fmt::format("device idle {:.0f}%", 100.0 * device_idle_share(s));
  fmt::print(out,
             "time:    {:.0f} configs/min; compiling {:.1f} s, in the bench worker {:.1f} s "
             "({}), outside evaluation {:.1f} s ({:.0f}% of {:.1f} s); setup before it {:.1f} s\n",
             per_minute, st.compile_wall_s, st.run_s, idle, outside,
             100.0 * outside / s.elapsed_s, s.elapsed_s, s.setup_s);
  print_device_split(out, s);
}

// Which priors the search had, and how well each predicted this run: a low or negative
// correlation says the other device (or problem) ranks configs differently.
static void print_priors(std::FILE* out, const TuneSummary& s) {
  for (const PriorReport& p : s.priors) {
    if (p.agreement.compared < 3) {
      fmt::print(out, "prior:   {}: too few configs measured here to compare ({})\n", p.label,
                 p.agreement.compared);
      continue;
    }
    fmt::print(out, "prior:   {}: Spearman {:.2f} over {} configs measured here\n", p.label,
               p.agreement.spearman, p.agreement.compared);
  }
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
  print_priors(out, s);
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
