#include "backends/cuda/cuda_timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tuna::cuda {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double elapsed_ms(const DriverApi& driver, CUevent start, CUevent stop) {
  float ms = 0;
  check_wait(driver, driver.event_elapsed_time(&ms, start, stop), "reading the kernel's time");
  return ms;
}

}  // namespace

void EventPool::ensure() {
  if (!events_.empty()) return;
  events_.reserve(2 * kPairs);
  for (std::size_t i = 0; i < 2 * kPairs; ++i) events_.emplace_back(driver_);
}

CUevent EventPool::start(std::size_t i) {
  ensure();
  return events_.at(2 * i).get();
}

CUevent EventPool::stop(std::size_t i) {
  ensure();
  return events_.at(2 * i + 1).get();
}

std::vector<double> time_launches(const DriverApi& driver, CUstream stream, EventPool& events,
                                  const TimedWork& work, const TimingOptions& timing) {
  const int max_repetitions = std::max(1, timing.max_repetitions);
  const int min_repetitions = std::clamp(timing.min_repetitions, 1, max_repetitions);
  double estimate_ms = 0;  // the last measured time: sizes the next chunk
  for (int i = 0; i < timing.warmup; ++i) {
    const bool last = i + 1 == timing.warmup;
    if (last) check(driver, driver.event_record(events.start(0), stream), "recording an event");
    work.launch();
    if (last) {
      check(driver, driver.event_record(events.stop(0), stream), "recording an event");
      check_wait(driver, driver.event_synchronize(events.stop(0)), "running the warm-up");
      estimate_ms = elapsed_ms(driver, events.start(0), events.stop(0));
    }
  }

  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(std::min(max_repetitions, 4096)));
  const Clock::time_point phase_start = Clock::now();
  while (static_cast<int>(times.size()) < max_repetitions) {
    const int done = static_cast<int>(times.size());
    const double spent = milliseconds_since(phase_start);
    if (done >= min_repetitions && spent >= timing.budget_ms) break;
    // Enough launches to use the rest of the budget (at least the missing minimum), capped by
    // the pool and the maximum; one at a time while nothing is known about the kernel.
    int wanted = 1;
    if (estimate_ms > 0)
      wanted = static_cast<int>(std::ceil(std::max(0.0, timing.budget_ms - spent) / estimate_ms));
    wanted = std::max({wanted, min_repetitions - done, 1});
    const int chunk = std::min({wanted, max_repetitions - done,
                                static_cast<int>(EventPool::capacity())});
    for (int c = 0; c < chunk; ++c) {
      const auto pair = static_cast<std::size_t>(c);
      if (work.flush) work.flush();
      check(driver, driver.event_record(events.start(pair), stream), "recording an event");
      work.launch();
      check(driver, driver.event_record(events.stop(pair), stream), "recording an event");
    }
    check_wait(driver, driver.event_synchronize(events.stop(static_cast<std::size_t>(chunk - 1))),
               "running the kernel");
    for (int c = 0; c < chunk; ++c) {
      const auto pair = static_cast<std::size_t>(c);
      times.push_back(elapsed_ms(driver, events.start(pair), events.stop(pair)));
    }
    estimate_ms = std::max(times.back(), 1e-3);
  }
  return times;
}

}  // namespace tuna::cuda
