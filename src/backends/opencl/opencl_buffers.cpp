#include "backends/opencl/opencl_buffers.hpp"

#include <fmt/format.h>

#include "core/constant_role.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {

void accept_opencl_argument(const Argument& arg) {
  // validate_spec refuses these already; a spec built without it still gets the reason.
  if (arg.role == ArgRole::Constant)
    throw UserError(fmt::format("args.{}: the opencl backend has no constant arguments (role = "
                                "\"constant\"). {}",
                                arg.name, constant_role_fix("opencl", arg)));
  if (arg.dtype != Dtype::F16) return;
  if (arg.is_buffer)
    throw UserError(fmt::format(
        "args.{}: the opencl backend does not generate f16 buffers yet; use f32, or u16 "
        "holding half bits read with vload_half.",
        arg.name));
  throw UserError(fmt::format(
      "args.{}: the opencl backend does not pass f16 scalars; pass it as f32 and convert in the "
      "kernel.",
      arg.name));
}

void bind_arguments(const OpenClApi& api, OpenClArguments& arguments, cl_kernel kernel,
                    const Env& env) {
  std::vector<OpenClArguments::Slot>& slots = arguments.slots();
  for (std::size_t i = 0; i < slots.size(); ++i) {
    OpenClArguments::Slot& slot = slots[i];
    const Argument& arg = slot.arg();
    const auto index = static_cast<cl_uint>(i);
    if (arg.is_buffer) {
      check(api.set_kernel_arg(kernel, index, sizeof(cl_mem), slot.data.address()),
            fmt::format("passing args.{} (argument {})", arg.name, i));
      continue;
    }
    check(api.set_kernel_arg(kernel, index, dtype_size(arg.dtype),
                             OpenClArguments::scalar(slot, env)),
          fmt::format("passing args.{} (argument {}, {} bytes as {}); check that the kernel's "
                      "parameter has that type",
                      arg.name, i, dtype_size(arg.dtype), dtype_name(arg.dtype)));
  }
}

}  // namespace tuna::opencl
