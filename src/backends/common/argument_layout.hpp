#pragma once
// The kernel's arguments as a run lays them out: each buffer's element count and size, fixed
// once per run from the problem constants and device facts (never from parameters: every config
// sees the same buffers, so their outputs can be compared).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "tuna/backend.hpp"

namespace tuna::backends {

struct ArgumentLayout {
  Argument arg;
  std::int64_t count = 0;  // buffers: elements
  std::size_t bytes = 0;   // buffers: count times the element size
};

// Called for each argument before it is laid out; throws UserError for an argument the backend
// cannot pass (a dtype it lacks). Empty: every argument is accepted.
using AcceptArgument = std::function<void(const Argument&)>;

// Every argument of `spec` in declaration order. Throws UserError for a scalar without a value,
// a count that fails to evaluate or does not fit in memory, or what `accept` rejects.
std::vector<ArgumentLayout> lay_out_arguments(const KernelSpec& spec, const DeviceInfo& device,
                                              const AcceptArgument& accept);

// The bytes a buffer starts from: the poison pattern for outputs, the seeded initial contents
// (argument_data.hpp) for inputs and inouts. `index` is the argument's position.
std::vector<unsigned char> starting_bytes(const ArgumentLayout& layout, std::uint64_t seed,
                                          std::size_t index);

// An OutputBuffer named and typed after `layout`, sized for its bytes, for the backend to fill.
OutputBuffer output_buffer_for(const ArgumentLayout& layout);

}  // namespace tuna::backends
