#include "backends/cuda/cuda_timing.hpp"

#include "backends/common/timing_loop.hpp"

namespace tuna::cuda {
namespace {

double elapsed_ms(const DriverApi& driver, CUevent start, CUevent stop) {
  float ms = 0;
  check_wait(driver, driver.event_elapsed_time(&ms, start, stop), "reading the kernel's time");
  return ms;
}

}  // namespace

void EventPool::ensure() {
  if (!events_.empty()) return;
  events_.reserve(2 * kPairs);
  for (std::size_t i = 0; i < 2 * kPairs; ++i) events_.push_back(make_event(driver_));
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
  auto record = [&](CUevent event) {
    check(driver, driver.event_record(event, stream), "recording an event");
  };
  backends::TimedLaunches launches;
  launches.max_chunk = static_cast<int>(EventPool::capacity());
  // Only the last warm-up is timed: it sizes the first chunk.
  launches.warm_up = [&](int count) {
    for (int i = 0; i + 1 < count; ++i) work.launch();
    if (count <= 0) return 0.0;
    record(events.start(0));
    work.launch();
    record(events.stop(0));
    check_wait(driver, driver.event_synchronize(events.stop(0)), "running the warm-up");
    return elapsed_ms(driver, events.start(0), events.stop(0));
  };
  // One start/stop pair around each launch; flushes are enqueued before the start event, outside
  // the timed interval. The host sleeps in one wait for the whole chunk.
  launches.run_chunk = [&](int count, std::vector<double>& times) {
    const auto pairs = static_cast<std::size_t>(count);
    for (std::size_t pair = 0; pair < pairs; ++pair) {
      if (work.flush) work.flush();
      record(events.start(pair));
      work.launch();
      record(events.stop(pair));
    }
    check_wait(driver, driver.event_synchronize(events.stop(pairs - 1)), "running the kernel");
    for (std::size_t pair = 0; pair < pairs; ++pair)
      times.push_back(elapsed_ms(driver, events.start(pair), events.stop(pair)));
  };
  return backends::time_repetitions(launches, timing);
}

}  // namespace tuna::cuda
