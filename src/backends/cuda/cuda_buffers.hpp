#pragma once
// The kernel's arguments in device memory: allocated once per run, initialised on the host with
// the host backend's seeded generator (so both backends see the same inputs for one seed),
// copied up, with a pristine device copy of every input and inout to restore before each
// checked run. f16 buffers are generated as f32 and rounded to half precision.
#include <cstdint>
#include <vector>

#include "backends/cuda/driver_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::cuda {

// IEEE binary16 bits of `value`, rounded to nearest even (overflow to infinity).
std::uint16_t float_to_half_bits(float value);

class CudaArguments {
 public:
  explicit CudaArguments(const DriverApi& driver) : driver_(driver) {}

  // Evaluates each buffer's count from the constants and device facts, allocates, fills and
  // uploads it. Throws UserError for a spec problem (a bad count or init) and CudaFailure when
  // the device refuses (out of memory).
  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed);
  bool prepared() const { return prepared_; }

  // Inputs and inouts back to their initial contents, outputs poisoned; waits until done.
  void reset_outputs();

  // One pointer per argument, as cuLaunchKernel wants them: the address of a device pointer
  // for buffers, the address of the value for scalars (evaluated in `env`).
  std::vector<void*> bind(const Env& env);

  std::vector<OutputBuffer> read_outputs();

 private:
  struct Slot {
    Argument arg;
    std::int64_t count = 0;
    std::size_t bytes = 0;
    DeviceMemory data;
    DeviceMemory pristine;                  // inputs and inouts: the initial contents
    std::vector<unsigned char> poison;      // outputs: the poison pattern
    alignas(8) unsigned char scalar[8] = {};
  };
  void prepare_buffer(Slot& slot, std::uint64_t seed, std::size_t index);

  const DriverApi& driver_;
  std::vector<Slot> slots_;
  bool prepared_ = false;
};

}  // namespace tuna::cuda
