#include "backends/opencl/opencl_buffers.hpp"

#include <fmt/format.h>

#include <limits>

#include "backends/host/host_buffers.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {

MemObject OpenClArguments::create(std::size_t bytes, const std::string& what) {
  cl_int status = CL_SUCCESS;
  cl_mem mem = api_.create_buffer(context_, CL_MEM_READ_WRITE, bytes, nullptr, &status);
  check(status, fmt::format("creating {} ({} bytes)", what, bytes));
  return MemObject(mem, api_.release_mem_object);
}

void OpenClArguments::prepare(const KernelSpec& spec, const DeviceInfo& device,
                              std::uint64_t seed) {
  // Sizes read constants and device facts only: every config sees the same buffers.
  Env env = spec.constants;
  env.merge(device.as_env());
  slots_.clear();
  prepared_ = false;
  slots_.reserve(spec.arguments.size());
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    Slot slot;
    slot.arg = spec.arguments[i];
    if (!slot.arg.is_buffer) {
      if (slot.arg.value.empty())
        throw UserError(
            fmt::format("args.{}: a scalar needs value = \"<expression>\".", slot.arg.name));
      if (slot.arg.dtype == Dtype::F16)
        throw UserError(fmt::format(
            "args.{}: the opencl backend does not pass f16 scalars; pass it as f32 and convert "
            "in the kernel.",
            slot.arg.name));
      slots_.push_back(std::move(slot));
      continue;
    }
    if (slot.arg.dtype == Dtype::F16)
      throw UserError(fmt::format(
          "args.{}: the opencl backend does not generate f16 buffers yet; use f32, or u16 "
          "holding half bits read with vload_half.",
          slot.arg.name));
    slot.count = buffer_elements(slot.arg, env);
    const std::size_t element = dtype_size(slot.arg.dtype);
    if (static_cast<std::uint64_t>(slot.count) > std::numeric_limits<std::size_t>::max() / element)
      throw UserError(
          fmt::format("args.{}: {} elements do not fit in memory.", slot.arg.name, slot.count));
    slot.bytes = static_cast<std::size_t>(slot.count) * element;
    slot.data = create(slot.bytes, fmt::format("args.{}", slot.arg.name));
    std::vector<unsigned char> host(slot.bytes);
    if (slot.arg.role == ArgRole::Output) {
      host::fill_poison(slot.arg.dtype, host.data(), slot.count);
      slot.poison = std::move(host);
    } else {
      host::fill_initial(slot.arg, seed, i, host.data(), slot.count);
      slot.pristine = create(slot.bytes, fmt::format("the initial copy of args.{}", slot.arg.name));
      check(api_.enqueue_write_buffer(queue_, slot.pristine.get(), CL_TRUE, 0, slot.bytes,
                                      host.data(), 0, nullptr, nullptr),
            fmt::format("copying the initial contents of args.{} to the device", slot.arg.name));
    }
    slots_.push_back(std::move(slot));
  }
  prepared_ = true;
  reset_outputs();
}

void OpenClArguments::reset_outputs() {
  TUNA_ASSERT(prepared_, "reset_outputs before prepare");
  for (Slot& slot : slots_) {
    if (!slot.arg.is_buffer) continue;
    if (slot.arg.role == ArgRole::Output)
      check(api_.enqueue_write_buffer(queue_, slot.data.get(), CL_FALSE, 0, slot.bytes,
                                      slot.poison.data(), 0, nullptr, nullptr),
            fmt::format("poisoning args.{}", slot.arg.name));
    else
      check(api_.enqueue_copy_buffer(queue_, slot.pristine.get(), slot.data.get(), 0, 0,
                                     slot.bytes, 0, nullptr, nullptr),
            fmt::format("restoring args.{}", slot.arg.name));
  }
  check_wait(api_.finish(queue_), "waiting for the argument copies");
}

void OpenClArguments::bind(cl_kernel kernel, const Env& env) {
  TUNA_ASSERT(prepared_, "run before prepare");
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    const auto index = static_cast<cl_uint>(i);
    if (slot.arg.is_buffer) {
      check(api_.set_kernel_arg(kernel, index, sizeof(cl_mem), slot.data.address()),
            fmt::format("passing args.{} (argument {})", slot.arg.name, i));
      continue;
    }
    host::store_scalar(slot.arg, host::evaluate_scalar(slot.arg, env), slot.scalar);
    check(api_.set_kernel_arg(kernel, index, dtype_size(slot.arg.dtype), slot.scalar),
          fmt::format("passing args.{} (argument {}, {} bytes as {}); check that the kernel's "
                      "parameter has that type",
                      slot.arg.name, i, dtype_size(slot.arg.dtype), dtype_name(slot.arg.dtype)));
  }
}

std::vector<OutputBuffer> OpenClArguments::read_outputs() {
  TUNA_ASSERT(prepared_, "read_outputs before prepare");
  std::vector<OutputBuffer> outputs;
  for (const Slot& slot : slots_) {
    if (!slot.arg.is_buffer || slot.arg.role == ArgRole::Input) continue;
    OutputBuffer out;
    out.name = slot.arg.name;
    out.dtype = slot.arg.dtype;
    out.bytes.resize(slot.bytes);
    check_wait(api_.enqueue_read_buffer(queue_, slot.data.get(), CL_TRUE, 0, slot.bytes,
                                        out.bytes.data(), 0, nullptr, nullptr),
               fmt::format("reading args.{} back from the device", slot.arg.name));
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace tuna::opencl
