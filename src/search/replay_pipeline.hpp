#pragma once
// The time a tuning run's evaluator would take for what a search asks of it, in simulated
// seconds: compile jobs feeding the devices as src/eval/evaluator.cpp's compile_while_running
// does, each config costing what its recording says it cost to compile and to run. `tuna compare
// --pipeline` runs every strategy through it, so that a replay shows how long the devices of a
// real run would wait between batches, and how a strategy searches when it is asked for more
// while its earlier configs are still being measured (lookahead), as it is in a tuning run.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace tuna::search {

// The evaluator being modelled: `compile_jobs` compile processes and `devices` bench workers.
struct PipelineShape {
  std::size_t compile_jobs = 16;
  std::size_t devices = 1;
  // Configs the pipeline holds at once besides those running: the evaluator's parallelism(), and
  // a tuning run's default batch size.
  std::size_t capacity() const { return compile_jobs + devices; }
};

// One config in the model. A config whose compile fails never reaches a device.
struct PipelineJob {
  std::size_t id = 0;  // the caller's
  double compile_s = 0;
  double run_s = 0;
  bool runs = true;
};

// Where the simulated time went.
struct PipelineTimes {
  double wall_s = 0;         // from the first batch's start to the last result
  double device_busy_s = 0;  // configs running on a device, summed over devices
  // Batches that measured at least one config. Every batch after the first is a moment where
  // the devices ran dry because the search waited for the whole previous batch.
  std::size_t batches = 0;
  // The share of the devices' wall time with no config on them.
  double idle_share(std::size_t devices) const;
};

class SimulatedPipeline {
 public:
  explicit SimulatedPipeline(PipelineShape shape);

  // Runs one batch to its end, on the clock where the previous one ended. Each compile job
  // takes a config from `take` while fewer than shape.capacity() configs are compiling or
  // waiting for a device, and stops taking at its first nullopt (so `take` is asked again, by
  // the next job, until every job has stopped: the evaluator's compile threads do the same);
  // each device runs compiled configs in the order they compiled. `done(id)` is called when a
  // config's result is final, in simulated time order (ties: in the order they were taken).
  void run_batch(const std::function<std::optional<PipelineJob>()>& take,
                 const std::function<void(std::size_t id)>& done);
  // Re-timing a config: run on the first device, after the batch (Evaluator::retime).
  void retime(double run_s);
  // The search waited for something else (an LLM's reply) with nothing to measure: the clock
  // moves on to `clock_s` (when later than now) with the devices idle.
  void idle_until(double clock_s);
  double now_s() const { return now_s_; }

  const PipelineShape& shape() const { return shape_; }
  const PipelineTimes& times() const { return times_; }

 private:
  PipelineShape shape_;
  PipelineTimes times_;
  double now_s_ = 0;
  std::uint64_t sequence_ = 0;  // breaks ties between events at the same time
};

}  // namespace tuna::search
