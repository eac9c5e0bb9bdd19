#pragma once
// A peer: devices on another host that take part in a run (an MPI rank in cluster mode,
// src/cluster/). The evaluator hands a peer configs the same way it hands them to its own compile
// pool, one at a time from the batch's queue, so fast hosts take more; the peer compiles, runs
// and checks them on its own devices, exactly as a single-host run would, and returns Results.
#include <cstddef>
#include <string>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/device.hpp"
#include "tuna/evaluator.hpp"

namespace tuna::eval {

// What a batch asks of every device that takes part in it.
struct BatchSettings {
  bool check = true;            // compare with the reference (false when re-timing)
  TimingOptions timing;
  double compile_timeout_s = 120;
};

class Peer {
 public:
  virtual ~Peer() = default;
  // For messages: "rank 2 (node7)".
  virtual std::string name() const = 0;
  // The devices it measures on (all of one model, checked when it joined).
  virtual const std::vector<DeviceInfo>& devices() const = 0;
  // How many configs it can usefully hold at once (its compile jobs plus its devices): the
  // evaluator's batches are made large enough to fill every peer.
  virtual std::size_t capacity() const = 0;
  // Takes configs from `next` until it returns nullopt, evaluates them and hands each Result to
  // `done` (with the job's index) as soon as it arrives. Returns once every config it took has a
  // Result. Throws UserError when the peer reports a failure it cannot record as a Result.
  virtual void evaluate(const JobSource& next, const BatchSettings& settings,
                        const JobDone& done) = 0;
};

}  // namespace tuna::eval
