#include "backends/common/timing_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tuna::backends {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int next_chunk(const TimingOptions& timing, int done, double spent_ms, double estimate_ms,
               int max_chunk) {
  const int max_repetitions = std::max(1, timing.max_repetitions);
  const int min_repetitions = std::clamp(timing.min_repetitions, 1, max_repetitions);
  if (done >= max_repetitions) return 0;
  if (done >= min_repetitions && spent_ms >= timing.budget_ms) return 0;
  int wanted = 1;
  if (estimate_ms > 0)
    wanted = static_cast<int>(std::ceil(std::max(0.0, timing.budget_ms - spent_ms) / estimate_ms));
  wanted = std::max({wanted, min_repetitions - done, 1});
  return std::min({wanted, max_repetitions - done, std::max(1, max_chunk)});
}

std::vector<double> time_repetitions(const TimedLaunches& launches, const TimingOptions& timing) {
  double estimate_ms = launches.warm_up(timing.warmup);  // the last measured time
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(std::min(std::max(1, timing.max_repetitions), 4096)));
  const Clock::time_point phase_start = Clock::now();
  while (true) {
    const int chunk = next_chunk(timing, static_cast<int>(times.size()),
                                 milliseconds_since(phase_start), estimate_ms, launches.max_chunk);
    if (chunk == 0) break;
    const std::size_t before = times.size();
    launches.run_chunk(chunk, times);
    if (times.size() == before) break;  // a backend that timed nothing must not loop forever
    estimate_ms = std::max(times.back(), 1e-3);
  }
  return times;
}

}  // namespace tuna::backends
