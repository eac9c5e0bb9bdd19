#include "backends/host/host_arguments.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tuna/errors.hpp"

namespace tuna::host {

AlignedBytes::AlignedBytes(std::size_t size) : size_(size) {
  // aligned_alloc wants a multiple of the alignment; at least one line so data() is never null.
  std::size_t rounded = std::max<std::size_t>(
      kBufferAlignment, (size + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment);
  data_.reset(static_cast<unsigned char*>(std::aligned_alloc(kBufferAlignment, rounded)));
  if (!data_)
    throw UserError(
        fmt::format("cannot allocate {} bytes of host memory for a kernel argument. "
                    "Reduce the problem size.",
                    size));
}

void accept_host_argument(const Argument& arg) {
  if (arg.dtype == Dtype::F16)
    throw UserError(fmt::format(
        "args.{}: type f16 is not supported by the host backend. Use f32 for host kernels, or "
        "run this spec with the cuda or opencl backend.",
        arg.name));
}

}  // namespace tuna::host
