#include "backends/common/argument_layout.hpp"

#include <fmt/format.h>

#include <limits>

#include "backends/common/argument_data.hpp"
#include "tuna/errors.hpp"

namespace tuna::backends {
namespace {

ArgumentLayout lay_out_buffer(const Argument& arg, const Env& env) {
  ArgumentLayout layout{arg, buffer_elements(arg, env), 0};
  const std::size_t element = dtype_size(arg.dtype);
  if (static_cast<std::uint64_t>(layout.count) > std::numeric_limits<std::size_t>::max() / element)
    throw UserError(
        fmt::format("args.{}: {} elements do not fit in memory.", arg.name, layout.count));
  layout.bytes = static_cast<std::size_t>(layout.count) * element;
  return layout;
}

}  // namespace

std::vector<ArgumentLayout> lay_out_arguments(const KernelSpec& spec, const DeviceInfo& device,
                                              const AcceptArgument& accept) {
  // Sizes read constants and device facts only: every config sees the same buffers.
  Env env = spec.constants;
  env.merge(device.as_env());
  std::vector<ArgumentLayout> layouts;
  layouts.reserve(spec.arguments.size());
  for (const Argument& arg : spec.arguments) {
    if (accept) accept(arg);
    if (arg.is_buffer) {
      layouts.push_back(lay_out_buffer(arg, env));
      continue;
    }
    if (arg.value.empty())
      throw UserError(fmt::format("args.{}: a scalar needs value = \"<expression>\".", arg.name));
    layouts.push_back(ArgumentLayout{arg, 0, 0});
  }
  return layouts;
}

std::vector<unsigned char> starting_bytes(const ArgumentLayout& layout, std::uint64_t seed,
                                          std::size_t index) {
  std::vector<unsigned char> bytes(layout.bytes);
  if (layout.arg.role == ArgRole::Output)
    fill_poison(layout.arg.dtype, bytes.data(), layout.count);
  else
    fill_initial(layout.arg, seed, index, bytes.data(), layout.count);
  return bytes;
}

OutputBuffer output_buffer_for(const ArgumentLayout& layout) {
  OutputBuffer out;
  out.name = layout.arg.name;
  out.dtype = layout.arg.dtype;
  out.bytes.resize(layout.bytes);
  return out;
}

}  // namespace tuna::backends
