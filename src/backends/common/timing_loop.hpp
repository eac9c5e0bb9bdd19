#pragma once
// The repetition loop every backend times kernels with (docs/benchmarking.md): warm-up runs,
// then timed runs until at least min_repetitions were timed and budget_ms of wall time has
// passed, or max_repetitions were timed. How one launch is timed is the backend's business
// (steady_clock on the host, events on GPUs); how many to run, and when to stop, is decided here.
#include <functional>
#include <vector>

#include "tuna/backend.hpp"

namespace tuna::backends {

struct TimedLaunches {
  // Runs `count` untimed launches and returns the time of the last one in milliseconds (0 when
  // the backend does not time warm-ups or count is 0): it sizes the first chunk.
  std::function<double(int count)> warm_up;
  // Runs `count` timed launches (each preceded by its cache flush, when flushing) and appends
  // their times in milliseconds to `times`.
  std::function<void(int count, std::vector<double>& times)> run_chunk;
  // The most launches one chunk may queue. GPUs queue launches in chunks sized from the last
  // measured time, so the device is not idle between repetitions; the host runs one at a time.
  int max_chunk = 1;
};

// Times launches per `timing`; the budget counts the whole timing phase (flushes included), so
// it bounds wall time. Exceptions from the callbacks pass through.
std::vector<double> time_repetitions(const TimedLaunches& launches, const TimingOptions& timing);

// How many launches the next chunk queues: enough to use the rest of the budget at
// `estimate_ms` each (one while nothing is known), at least the missing minimum, at most
// `max_chunk` and what is left of the maximum. 0 when the loop is done.
int next_chunk(const TimingOptions& timing, int done, double spent_ms, double estimate_ms,
               int max_chunk);

}  // namespace tuna::backends
