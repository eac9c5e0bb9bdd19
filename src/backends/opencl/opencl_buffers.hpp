#pragma once
// The kernel's arguments as OpenCL buffers: created once per run, filled on the host with the
// host backend's seeded generator (so every backend sees the same inputs for one seed), with a
// pristine device copy of every input and inout restored before each checked run.
#include <cstdint>
#include <vector>

#include "backends/opencl/cl_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::opencl {

class OpenClArguments {
 public:
  OpenClArguments(const OpenClApi& api, cl_context context, cl_command_queue queue)
      : api_(api), context_(context), queue_(queue) {}

  // Evaluates each buffer's count from the constants and device facts, creates, fills and
  // uploads it. Throws UserError for a spec problem and ClFailure when the device refuses.
  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed);
  bool prepared() const { return prepared_; }
  std::size_t count() const { return slots_.size(); }

  // Inputs and inouts back to their initial contents, outputs poisoned; waits until done.
  void reset_outputs();

  // Sets every argument of `kernel`: buffers by handle, scalars evaluated in `env` with their
  // dtype's size.
  void bind(cl_kernel kernel, const Env& env);

  std::vector<OutputBuffer> read_outputs();

 private:
  struct Slot {
    Argument arg;
    std::int64_t count = 0;
    std::size_t bytes = 0;
    MemObject data;
    MemObject pristine;                  // inputs and inouts
    std::vector<unsigned char> poison;  // outputs
    alignas(8) unsigned char scalar[8] = {};
  };
  MemObject create(std::size_t bytes, const std::string& what);

  const OpenClApi& api_;
  cl_context context_;
  cl_command_queue queue_;
  std::vector<Slot> slots_;
  bool prepared_ = false;
};

}  // namespace tuna::opencl
