#pragma once
// Timing kernel launches with CUDA events (docs/backends/cuda.md, "Timing").
#include <functional>
#include <vector>

#include "backends/cuda/driver_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::cuda {

struct TimedWork {
  std::function<void()> launch;  // enqueues the kernel on the stream; throws CudaFailure
  std::function<void()> flush;   // enqueues the cache flush; empty when not flushing
};

// Event pairs reused across runs, created on first use.
class EventPool {
 public:
  explicit EventPool(const DriverApi& driver) : driver_(driver) {}
  // Pair i (0 <= i < capacity()).
  CUevent start(std::size_t i);
  CUevent stop(std::size_t i);
  static constexpr std::size_t capacity() { return kPairs; }

 private:
  static constexpr std::size_t kPairs = 64;
  void ensure();
  const DriverApi& driver_;
  std::vector<Event> events_;
};

// Runs `timing.warmup` untimed launches, then timed ones until at least min_repetitions were
// timed and budget_ms of wall time has passed, or max_repetitions were timed. Each time is one
// start/stop event pair around one launch; flushes are enqueued before the start event, outside
// the timed interval. Launches are queued in chunks sized from the last measured time, so the
// GPU is not idle between repetitions and the host sleeps while it waits.
std::vector<double> time_launches(const DriverApi& driver, CUstream stream, EventPool& events,
                                  const TimedWork& work, const TimingOptions& timing);

}  // namespace tuna::cuda
