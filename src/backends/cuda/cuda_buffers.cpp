#include "backends/cuda/cuda_buffers.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>

#include "backends/host/host_buffers.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

constexpr std::uint16_t kHalfQuietNan = 0x7E00;

// The same argument as f32, for generating f16 data with the host generator.
Argument as_f32(const Argument& arg) {
  Argument copy = arg;
  copy.dtype = Dtype::F32;
  return copy;
}

void fill_half(const Argument& arg, std::uint64_t seed, std::size_t index, unsigned char* data,
               std::int64_t count) {
  std::vector<float> staging(static_cast<std::size_t>(count));
  host::fill_initial(as_f32(arg), seed, index, reinterpret_cast<unsigned char*>(staging.data()),
                     count);
  for (std::int64_t i = 0; i < count; ++i) {
    std::uint16_t bits = float_to_half_bits(staging[static_cast<std::size_t>(i)]);
    std::memcpy(data + 2 * i, &bits, 2);
  }
}

void fill_poison_any(Dtype dtype, unsigned char* data, std::int64_t count) {
  if (dtype != Dtype::F16) return host::fill_poison(dtype, data, count);
  for (std::int64_t i = 0; i < count; ++i) std::memcpy(data + 2 * i, &kHalfQuietNan, 2);
}

void store_scalar_any(const Argument& arg, const Value& value, unsigned char* slot) {
  if (arg.dtype != Dtype::F16) return host::store_scalar(arg, value, slot);
  float as_float = 0;
  host::store_scalar(as_f32(arg), value, slot);
  std::memcpy(&as_float, slot, sizeof as_float);
  std::uint16_t bits = float_to_half_bits(as_float);
  std::memset(slot, 0, 8);
  std::memcpy(slot, &bits, 2);
}

}  // namespace

std::uint16_t float_to_half_bits(float value) {
  std::uint32_t x = 0;
  std::memcpy(&x, &value, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t exponent = (x >> 23) & 0xFFu;
  std::uint32_t mantissa = x & 0x7FFFFFu;
  if (exponent == 0xFF) return static_cast<std::uint16_t>(sign | 0x7C00u | (mantissa ? 0x200u : 0));
  const int e = static_cast<int>(exponent) - 127 + 15;
  if (e >= 31) return static_cast<std::uint16_t>(sign | 0x7C00u);
  if (e <= 0) {  // a half subnormal, or zero
    if (e < -10) return static_cast<std::uint16_t>(sign);
    mantissa |= 0x800000u;
    const int shift = 14 - e;
    std::uint32_t half = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<std::uint16_t>(sign | half);
  }
  std::uint32_t half = sign | (static_cast<std::uint32_t>(e) << 10) | (mantissa >> 13);
  const std::uint32_t rest = mantissa & 0x1FFFu;
  // A carry out of the mantissa rounds up into the exponent, which is the right answer.
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<std::uint16_t>(half);
}

void CudaArguments::prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) {
  // Sizes read constants and device facts only: every config sees the same buffers.
  Env env = spec.constants;
  env.merge(device.as_env());
  slots_.clear();
  prepared_ = false;
  slots_.reserve(spec.arguments.size());
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    Slot slot;
    slot.arg = spec.arguments[i];
    if (slot.arg.is_buffer) {
      slot.count = buffer_elements(slot.arg, env);
      const std::size_t element = dtype_size(slot.arg.dtype);
      if (static_cast<std::uint64_t>(slot.count) >
          std::numeric_limits<std::size_t>::max() / element)
        throw UserError(
            fmt::format("args.{}: {} elements do not fit in memory.", slot.arg.name, slot.count));
      slot.bytes = static_cast<std::size_t>(slot.count) * element;
      prepare_buffer(slot, seed, i);
    } else if (slot.arg.value.empty()) {
      throw UserError(
          fmt::format("args.{}: a scalar needs value = \"<expression>\".", slot.arg.name));
    }
    slots_.push_back(std::move(slot));
  }
  prepared_ = true;
  reset_outputs();
}

void CudaArguments::prepare_buffer(Slot& slot, std::uint64_t seed, std::size_t index) {
  slot.data = DeviceMemory(driver_, slot.bytes);
  std::vector<unsigned char> host(slot.bytes);
  if (slot.arg.role == ArgRole::Output) {
    fill_poison_any(slot.arg.dtype, host.data(), slot.count);
    slot.poison = std::move(host);
    return;
  }
  if (slot.arg.dtype == Dtype::F16)
    fill_half(slot.arg, seed, index, host.data(), slot.count);
  else
    host::fill_initial(slot.arg, seed, index, host.data(), slot.count);
  slot.pristine = DeviceMemory(driver_, slot.bytes);
  check(driver_, driver_.memcpy_htod(slot.pristine.get(), host.data(), slot.bytes),
        fmt::format("copying the initial contents of args.{} to the device", slot.arg.name));
}

void CudaArguments::reset_outputs() {
  TUNA_ASSERT(prepared_, "reset_outputs before prepare");
  for (Slot& slot : slots_) {
    if (!slot.arg.is_buffer) continue;
    if (slot.arg.role == ArgRole::Output)
      check(driver_, driver_.memcpy_htod(slot.data.get(), slot.poison.data(), slot.bytes),
            fmt::format("poisoning args.{}", slot.arg.name));
    else
      check(driver_, driver_.memcpy_dtod(slot.data.get(), slot.pristine.get(), slot.bytes),
            fmt::format("restoring args.{}", slot.arg.name));
  }
  // The copies go through the legacy default stream; waiting here orders them before the next
  // launch whatever stream it uses.
  check_wait(driver_, driver_.ctx_synchronize(), "waiting for the argument copies");
}

std::vector<void*> CudaArguments::bind(const Env& env) {
  TUNA_ASSERT(prepared_, "run before prepare");
  std::vector<void*> pointers;
  pointers.reserve(slots_.size());
  for (Slot& slot : slots_) {
    if (slot.arg.is_buffer) {
      pointers.push_back(slot.data.slot());
      continue;
    }
    store_scalar_any(slot.arg, host::evaluate_scalar(slot.arg, env), slot.scalar);
    pointers.push_back(slot.scalar);
  }
  return pointers;
}

std::vector<OutputBuffer> CudaArguments::read_outputs() {
  TUNA_ASSERT(prepared_, "read_outputs before prepare");
  std::vector<OutputBuffer> outputs;
  for (const Slot& slot : slots_) {
    if (!slot.arg.is_buffer || slot.arg.role == ArgRole::Input) continue;
    OutputBuffer out;
    out.name = slot.arg.name;
    out.dtype = slot.arg.dtype;
    out.bytes.resize(slot.bytes);
    check(driver_, driver_.memcpy_dtoh(out.bytes.data(), slot.data.get(), slot.bytes),
          fmt::format("reading args.{} back from the device", slot.arg.name));
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace tuna::cuda
