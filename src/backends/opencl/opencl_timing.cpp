#include "backends/opencl/opencl_timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tuna::opencl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kChunk = 64;  // events alive at once

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The kernel's status once finished: a negative status is the error that ended it.
void check_finished(const OpenClApi& api, const Event& event) {
  cl_int status = CL_COMPLETE;
  check_wait(api.get_event_info(event.get(), CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status,
                                &status, nullptr),
             "reading the kernel's status");
  if (status < 0) check_wait(status, "running the kernel");
}

double event_ms(const OpenClApi& api, const Event& event) {
  cl_ulong start = 0;
  cl_ulong end = 0;
  check_wait(api.get_event_profiling_info(event.get(), CL_PROFILING_COMMAND_START, sizeof start,
                                          &start, nullptr),
             "reading the kernel's start time");
  check_wait(api.get_event_profiling_info(event.get(), CL_PROFILING_COMMAND_END, sizeof end, &end,
                                          nullptr),
             "reading the kernel's end time");
  return end > start ? static_cast<double>(end - start) / 1e6 : 0.0;
}

}  // namespace

std::vector<double> time_launches(const OpenClApi& api,
                                  const TimedWork& work, const TimingOptions& timing) {
  const int max_repetitions = std::max(1, timing.max_repetitions);
  const int min_repetitions = std::clamp(timing.min_repetitions, 1, max_repetitions);
  double estimate_ms = 0;  // the last measured time: sizes the next chunk
  for (int i = 0; i < timing.warmup; ++i) {
    Event event = work.launch();
    if (i + 1 == timing.warmup) {
      check_wait(api.wait_for_events(1, event.address()), "running the warm-up");
      check_finished(api, event);
      estimate_ms = event_ms(api, event);
    }
  }

  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(std::min(max_repetitions, 4096)));
  std::vector<Event> events;
  const Clock::time_point phase_start = Clock::now();
  while (static_cast<int>(times.size()) < max_repetitions) {
    const int done = static_cast<int>(times.size());
    const double spent = milliseconds_since(phase_start);
    if (done >= min_repetitions && spent >= timing.budget_ms) break;
    int wanted = 1;
    if (estimate_ms > 0)
      wanted = static_cast<int>(std::ceil(std::max(0.0, timing.budget_ms - spent) / estimate_ms));
    wanted = std::max({wanted, min_repetitions - done, 1});
    const int chunk = std::min({wanted, max_repetitions - done, kChunk});
    events.clear();
    for (int c = 0; c < chunk; ++c) {
      if (work.flush) work.flush();
      events.push_back(work.launch());
    }
    // The queue is in order: the last event done means all are.
    check_wait(api.wait_for_events(1, events.back().address()), "running the kernel");
    for (const Event& event : events) {
      check_finished(api, event);
      times.push_back(event_ms(api, event));
    }
    estimate_ms = std::max(times.back(), 1e-3);
  }
  return times;
}

}  // namespace tuna::opencl
