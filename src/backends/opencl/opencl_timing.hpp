#pragma once
// Timing kernel launches with OpenCL profiling events (docs/backends/opencl.md, "Timing").
#include <functional>
#include <vector>

#include "backends/opencl/cl_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::opencl {

struct TimedWork {
  // Enqueues the kernel on the queue and returns its event; throws ClFailure.
  std::function<Event()> launch;
  // Enqueues the cache flush; empty when not flushing.
  std::function<void()> flush;
};

// Runs `timing.warmup` untimed launches, then timed ones until at least min_repetitions were
// timed and budget_ms of wall time has passed, or max_repetitions were timed. Each time is the
// kernel's own event, CL_PROFILING_COMMAND_START to CL_PROFILING_COMMAND_END, so flushes
// between launches are outside it. Launches are queued in chunks sized from the last time so
// the device is not idle between repetitions.
std::vector<double> time_launches(const OpenClApi& api,
                                  const TimedWork& work, const TimingOptions& timing);

}  // namespace tuna::opencl
