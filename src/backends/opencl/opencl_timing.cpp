#include "backends/opencl/opencl_timing.hpp"

#include "backends/common/timing_loop.hpp"

namespace tuna::opencl {
namespace {

constexpr int kChunk = 64;  // events alive at once

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

std::vector<double> time_launches(const OpenClApi& api, const TimedWork& work,
                                  const TimingOptions& timing) {
  backends::TimedLaunches launches;
  launches.max_chunk = kChunk;
  // Only the last warm-up is timed: it sizes the first chunk.
  launches.warm_up = [&](int count) {
    double last_ms = 0;
    for (int i = 0; i < count; ++i) {
      Event event = work.launch();
      if (i + 1 < count) continue;
      check_wait(api.wait_for_events(1, event.address()), "running the warm-up");
      check_finished(api, event);
      last_ms = event_ms(api, event);
    }
    return last_ms;
  };
  std::vector<Event> events;
  launches.run_chunk = [&](int count, std::vector<double>& times) {
    events.clear();
    for (int c = 0; c < count; ++c) {
      if (work.flush) work.flush();
      events.push_back(work.launch());
    }
    // The queue is in order: the last event done means all are.
    check_wait(api.wait_for_events(1, events.back().address()), "running the kernel");
    for (const Event& event : events) {
      check_finished(api, event);
      times.push_back(event_ms(api, event));
    }
  };
  return backends::time_repetitions(launches, timing);
}

}  // namespace tuna::opencl
