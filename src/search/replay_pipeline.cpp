#include "search/replay_pipeline.hpp"

#include <algorithm>
#include <deque>
#include <queue>

namespace tuna::search {
namespace {

// A compile or a run ending at `at`.
struct Event {
  double at = 0;
  std::uint64_t sequence = 0;
  bool compile = true;     // else a run
  std::size_t device = 0;  // of a run
  PipelineJob job;
};

struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }
};

}  // namespace

double PipelineTimes::idle_share(std::size_t devices) const {
  if (wall_s <= 0 || devices == 0) return 0;
  return std::clamp(1.0 - device_busy_s / (wall_s * static_cast<double>(devices)), 0.0, 1.0);
}

SimulatedPipeline::SimulatedPipeline(PipelineShape shape) : shape_(shape) {
  shape_.compile_jobs = std::max<std::size_t>(1, shape_.compile_jobs);
  shape_.devices = std::max<std::size_t>(1, shape_.devices);
}

void SimulatedPipeline::run_batch(const std::function<std::optional<PipelineJob>()>& take,
                                  const std::function<void(std::size_t id)>& done) {
  std::priority_queue<Event, std::vector<Event>, Later> events;
  std::deque<PipelineJob> ready;  // compiled, waiting for a device
  std::vector<bool> device_free(shape_.devices, true);
  std::size_t waiting = shape_.compile_jobs;  // compile jobs ready to take a config
  std::size_t compiling = 0;
  bool measured = false;

  // What happens at the current time once the events of this time are handled: free devices
  // take compiled configs, and compile jobs take new ones while the pipeline has room.
  auto settle = [&] {
    bool changed = true;
    while (changed) {
      changed = false;
      for (std::size_t d = 0; d < device_free.size(); ++d) {
        if (!device_free[d] || ready.empty()) continue;
        device_free[d] = false;
        times_.device_busy_s += ready.front().run_s;
        events.push({now_s_ + ready.front().run_s, sequence_++, false, d, ready.front()});
        ready.pop_front();
        changed = true;
      }
      while (waiting > 0 && compiling + ready.size() < shape_.capacity()) {
        std::optional<PipelineJob> job = take();
        --waiting;  // it compiles, or it stops taking for the rest of the batch
        if (!job) continue;
        ++compiling;
        measured = true;
        events.push({now_s_ + job->compile_s, sequence_++, true, 0, *job});
        changed = true;
      }
    }
  };

  settle();
  while (!events.empty()) {
    Event e = events.top();
    events.pop();
    now_s_ = e.at;
    if (e.compile) {
      --compiling;
      ++waiting;
      if (e.job.runs) {
        ready.push_back(e.job);
      } else {
        done(e.job.id);
      }
    } else {
      device_free[e.device] = true;
      done(e.job.id);
    }
    settle();
  }
  if (measured) ++times_.batches;
  times_.wall_s = now_s_;
}

void SimulatedPipeline::retime(double run_s) {
  now_s_ += run_s;
  times_.device_busy_s += run_s;
  times_.wall_s = now_s_;
}

void SimulatedPipeline::idle_until(double clock_s) {
  now_s_ = std::max(now_s_, clock_s);
  times_.wall_s = now_s_;
}

}  // namespace tuna::search
