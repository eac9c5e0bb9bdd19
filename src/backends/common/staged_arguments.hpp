#pragma once
// The kernel's arguments held for a run on any backend: each buffer allocated once, filled on
// the host with the shared seeded generator (so every backend sees the same inputs for one seed),
// with a pristine copy of every input and inout to restore before each checked run, and outputs
// poisoned in place before each. Constant arguments (role = "constant") stay on the host, as
// their initial bytes: the backend copies them into a global of the compiled code (constants()),
// and they are not among the kernel's parameters (pointers()). Where the memory lives is the
// `Memory` policy's business:
//
//   struct Memory {
//     using Buffer = ...;  // RAII owner of device (or host) memory
//     Buffer allocate(std::size_t bytes, const std::string& what);
//     // Host bytes into `to`; `wait`: return only once they are copied (`from` may then go).
//     void write(Buffer& to, const unsigned char* from, std::size_t bytes, bool wait,
//                const std::string& what);
//     void copy(Buffer& to, const Buffer& from, std::size_t bytes, const std::string& what);
//     void read(unsigned char* to, const Buffer& from, std::size_t bytes, const std::string& what);
//     void wait(const std::string& what);  // until queued writes and copies are done
//     // Fills `count` elements of `to` with the dtype's poison (poison_word), in place: a
//     // pattern of the output's size copied before every checked run cost ~9 ms per 64 MiB.
//     void poison(Buffer& to, Dtype dtype, std::int64_t count);
//   };
//
// Failures of the policy (out of device memory) pass through as its exceptions.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "backends/common/argument_layout.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

namespace tuna::backends {

// A constant argument (role = "constant") and the bytes to copy into its global
// (constant_symbol()); both live as long as the StagedArguments' preparation.
struct ConstantArgument {
  const Argument* arg;
  const std::vector<unsigned char>* bytes;
};

// The message of a constant whose bytes do not fit its global (`capacity` bytes; `where` names
// the module or library, may be empty): the "constant_size" failure of every backend.
inline std::string constant_too_large(const ConstantArgument& constant, std::size_t capacity,
                                      const std::string& where) {
  const Argument& arg = *constant.arg;
  const std::size_t bytes = constant.bytes->size();
  const std::size_t element = dtype_size(arg.dtype);
  return fmt::format(
      "args.{} (role = \"constant\"): its {} bytes ({} elements of {}) do not fit the global "
      "'{}'{}, which holds {} bytes. Give the argument at most {} elements, or declare '{}' "
      "larger",
      arg.name, bytes, bytes / element, dtype_name(arg.dtype), constant_symbol(arg),
      where.empty() ? "" : " of " + where, capacity, capacity / element, constant_symbol(arg));
}

template <class Memory>
class StagedArguments {
 public:
  using Buffer = typename Memory::Buffer;

  struct Slot {
    ArgumentLayout layout;
    Buffer data;
    Buffer pristine;                      // inputs and inouts: the initial contents
    std::vector<unsigned char> constant;  // role = "constant": the bytes to copy into the global
    alignas(8) unsigned char scalar[8] = {};
    const Argument& arg() const { return layout.arg; }
  };

  explicit StagedArguments(Memory memory) : memory_(std::move(memory)) {}

  // Lays out, allocates and fills every argument (lay_out_arguments says what throws), then
  // resets the outputs.
  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed,
               const AcceptArgument& accept = {}) {
    slots_.clear();
    prepared_ = false;
    std::vector<ArgumentLayout> layouts = lay_out_arguments(spec, device, accept);
    slots_.reserve(layouts.size());
    for (std::size_t i = 0; i < layouts.size(); ++i) {
      Slot slot;
      slot.layout = std::move(layouts[i]);
      if (slot.arg().is_buffer) stage(slot, seed, i);
      slots_.push_back(std::move(slot));
    }
    prepared_ = true;
    reset_outputs();
  }
  bool prepared() const { return prepared_; }
  std::size_t count() const { return slots_.size(); }

  // Inputs and inouts back to their initial contents (a kernel that scribbles on an input cannot
  // affect the next run), outputs poisoned; waits until done.
  void reset_outputs() {
    TUNA_ASSERT(prepared_, "reset_outputs before prepare");
    for (Slot& slot : slots_) {
      if (!slot.arg().is_buffer || !is_passed_to_kernel(slot.arg())) continue;
      if (slot.arg().role != ArgRole::Output)
        memory_.copy(slot.data, slot.pristine, slot.layout.bytes,
                     fmt::format("restoring args.{}", slot.arg().name));
      else
        memory_.poison(slot.data, slot.arg().dtype, slot.layout.count);
    }
    memory_.wait("waiting for the argument copies");
  }

  // Outputs and inouts, in declaration order.
  std::vector<OutputBuffer> read_outputs() {
    TUNA_ASSERT(prepared_, "read_outputs before prepare");
    std::vector<OutputBuffer> outputs;
    for (const Slot& slot : slots_) {
      if (!is_read_back(slot.arg())) continue;
      OutputBuffer out = output_buffer_for(slot.layout);
      memory_.read(out.bytes.data(), slot.data, slot.layout.bytes,
                   fmt::format("reading args.{} back from the device", slot.arg().name));
      outputs.push_back(std::move(out));
    }
    return outputs;
  }

  // One pointer per parameter of the kernel, in declaration order (constant arguments are no
  // parameters): `address(data)` for a buffer, the address of the value for a scalar (evaluated
  // in `env`, stored as its dtype).
  template <class Address>
  std::vector<void*> pointers(const Env& env, Address address) {
    std::vector<void*> out;
    for (Slot& slot : slots()) {
      if (!is_passed_to_kernel(slot.arg())) continue;
      out.push_back(slot.arg().is_buffer ? address(slot.data) : scalar(slot, env));
    }
    return out;
  }

  // The constant arguments, in declaration order.
  std::vector<ConstantArgument> constants() {
    std::vector<ConstantArgument> out;
    for (const Slot& slot : slots())
      if (!is_passed_to_kernel(slot.arg())) out.push_back({&slot.arg(), &slot.constant});
    return out;
  }

  // A scalar's value in `env`, stored as its dtype in its slot (8 bytes).
  static unsigned char* scalar(Slot& slot, const Env& env) {
    store_scalar(slot.arg(), evaluate_scalar(slot.arg(), env), slot.scalar);
    return slot.scalar;
  }

  // The slots, for binding them to a launch. Asserts that prepare() ran.
  std::vector<Slot>& slots() {
    TUNA_ASSERT(prepared_, "run before prepare");
    return slots_;
  }

 private:
  void stage(Slot& slot, std::uint64_t seed, std::size_t index) {
    const std::string& name = slot.arg().name;
    if (!is_passed_to_kernel(slot.arg())) {
      slot.constant = starting_bytes(slot.layout, seed, index);
      return;
    }
    slot.data = memory_.allocate(slot.layout.bytes, fmt::format("args.{}", name));
    if (slot.arg().role == ArgRole::Output) return;  // poisoned by every reset
    const std::vector<unsigned char> initial = starting_bytes(slot.layout, seed, index);
    slot.pristine =
        memory_.allocate(slot.layout.bytes, fmt::format("the initial copy of args.{}", name));
    memory_.write(slot.pristine, initial.data(), slot.layout.bytes, true,
                  fmt::format("copying the initial contents of args.{} to the device", name));
  }

  Memory memory_;
  std::vector<Slot> slots_;
  bool prepared_ = false;
};

}  // namespace tuna::backends
