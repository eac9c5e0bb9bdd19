#include "backends/host/host_buffers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <type_traits>
#include <utility>

#include "tuna/errors.hpp"

namespace tuna::host {
namespace {

// Calls f(T{}) with the C++ element type of `dtype`.
template <class F>
void with_element_type(Dtype dtype, const std::string& arg_name, F&& f) {
  switch (dtype) {
    case Dtype::F32:
      return f(float{});
    case Dtype::F64:
      return f(double{});
    case Dtype::I8:
      return f(std::int8_t{});
    case Dtype::I16:
      return f(std::int16_t{});
    case Dtype::I32:
      return f(std::int32_t{});
    case Dtype::I64:
      return f(std::int64_t{});
    case Dtype::U8:
      return f(std::uint8_t{});
    case Dtype::U16:
      return f(std::uint16_t{});
    case Dtype::U32:
      return f(std::uint32_t{});
    case Dtype::U64:
      return f(std::uint64_t{});
    case Dtype::F16:
      break;
  }
  throw UserError(fmt::format(
      "args.{}: type f16 is not supported by the host backend. Use f32 for host kernels, or run "
      "this spec with the cuda or opencl backend.",
      arg_name));
}

template <class T>
T* typed(unsigned char* data) {
  return reinterpret_cast<T*>(data);
}

// An integer-typed value from a double, or UserError saying which argument and why.
template <class T>
T exact_integer(double v, const Argument& arg, const char* what) {
  if (!std::isfinite(v) || std::trunc(v) != v ||
      v < static_cast<double>(std::numeric_limits<T>::lowest()) ||
      v > static_cast<double>(std::numeric_limits<T>::max()))
    throw UserError(
        fmt::format("args.{}: {} {} is not a value of type {}. Use an integer in the "
                    "type's range, or a floating-point type.",
                    arg.name, what, format_double(v), dtype_name(arg.dtype)));
  return static_cast<T>(v);
}

template <class T>
void fill_random(const Argument& arg, std::mt19937_64& rng, T* out, std::int64_t count) {
  if (!(arg.random_lo <= arg.random_hi))
    throw UserError(
        fmt::format("args.{}: random range [{}, {}] is empty. Write range = [lo, hi] "
                    "with lo <= hi.",
                    arg.name, arg.random_lo, arg.random_hi));
  if (arg.random_lo == 0 && arg.random_hi == 0)
    throw UserError(
        fmt::format("args.{}: random range [0, 0] gives all zeros, which hides "
                    "kernels that ignore this input. Widen the range, or write "
                    "init = \"zeros\" if zeros are what you mean.",
                    arg.name));
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<double> dist(arg.random_lo, arg.random_hi);
    for (std::int64_t i = 0; i < count; ++i) out[i] = static_cast<T>(dist(rng));
  } else {
    double lo =
        std::max(std::ceil(arg.random_lo), static_cast<double>(std::numeric_limits<T>::lowest()));
    double hi =
        std::min(std::floor(arg.random_hi), static_cast<double>(std::numeric_limits<T>::max()));
    if (lo > hi)
      throw UserError(
          fmt::format("args.{}: random range [{}, {}] holds no value of type {}. "
                      "Give an integer range, e.g. range = [-8, 8].",
                      arg.name, arg.random_lo, arg.random_hi, dtype_name(arg.dtype)));
    using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
    std::uniform_int_distribution<Wide> dist(static_cast<Wide>(lo), static_cast<Wide>(hi));
    for (std::int64_t i = 0; i < count; ++i) out[i] = static_cast<T>(dist(rng));
  }
  // Tiny buffers can draw only zeros by chance; one non-zero element keeps the promise.
  bool all_zero = std::all_of(out, out + count, [](T v) { return v == T{0}; });
  if (all_zero && count > 0)
    out[0] = static_cast<T>(arg.random_hi != 0 ? arg.random_hi : arg.random_lo);
}

template <class T>
void fill_typed(const Argument& arg, std::uint64_t seed, std::size_t arg_index, T* out,
                std::int64_t count) {
  switch (arg.init) {
    case InitKind::Random: {
      std::mt19937_64 rng(seed + arg_index);
      return fill_random(arg, rng, out, count);
    }
    case InitKind::Zeros:
      return std::fill(out, out + count, T{0});
    case InitKind::Ones:
      return std::fill(out, out + count, T{1});
    case InitKind::Iota:
      // Integer types wrap around (a defined conversion since C++20).
      for (std::int64_t i = 0; i < count; ++i) out[i] = static_cast<T>(i);
      return;
    case InitKind::Constant: {
      T value;
      if constexpr (std::is_floating_point_v<T>)
        value = static_cast<T>(arg.init_value);
      else
        value = exact_integer<T>(arg.init_value, arg, "constant");
      return std::fill(out, out + count, value);
    }
  }
}

}  // namespace

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

void fill_initial(const Argument& arg, std::uint64_t seed, std::size_t arg_index,
                  unsigned char* data, std::int64_t count) {
  with_element_type(arg.dtype, arg.name, [&](auto zero) {
    using T = decltype(zero);
    fill_typed<T>(arg, seed, arg_index, typed<T>(data), count);
  });
}

void fill_poison(Dtype dtype, unsigned char* data, std::int64_t count) {
  with_element_type(dtype, "(output)", [&](auto zero) {
    using T = decltype(zero);
    T poison;
    if constexpr (std::is_floating_point_v<T>)
      poison = std::numeric_limits<T>::quiet_NaN();
    else
      poison = static_cast<T>(0x7EADBEEF7EADBEEFull);
    std::fill(typed<T>(data), typed<T>(data) + count, poison);
  });
}

void store_scalar(const Argument& arg, const Value& value, unsigned char* slot) {
  if (value.is_string())
    throw UserError(fmt::format("args.{}: value '{}' is a string; a {} scalar needs a number.",
                                arg.name, value.as_string(), dtype_name(arg.dtype)));
  std::memset(slot, 0, 8);
  with_element_type(arg.dtype, arg.name, [&](auto zero) {
    using T = decltype(zero);
    T v;
    if constexpr (std::is_floating_point_v<T>)
      v = static_cast<T>(value.as_double());
    else if (!value.is_float()) {
      std::int64_t i = value.as_int();
      if (!std::in_range<T>(i))
        throw UserError(fmt::format("args.{}: value {} does not fit in type {}.", arg.name, i,
                                    dtype_name(arg.dtype)));
      v = static_cast<T>(i);
    } else
      v = exact_integer<T>(value.as_double(), arg, "value");
    std::memcpy(slot, &v, sizeof v);
  });
}

void HostArguments::prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) {
  // Sizes read problem constants and device facts, never parameters: every config must see the
  // same buffers so that their outputs can be compared.
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
      std::size_t element = 0;
      with_element_type(slot.arg.dtype, slot.arg.name,
                        [&](auto zero) { element = sizeof(decltype(zero)); });
      if (static_cast<std::uint64_t>(slot.count) >
          std::numeric_limits<std::size_t>::max() / element)
        throw UserError(
            fmt::format("args.{}: {} elements do not fit in memory.", slot.arg.name, slot.count));
      slot.data = AlignedBytes(static_cast<std::size_t>(slot.count) * element);
      if (slot.arg.role != ArgRole::Output) {
        fill_initial(slot.arg, seed, i, slot.data.data(), slot.count);
        slot.initial.assign(slot.data.data(), slot.data.data() + slot.data.size());
      }
    } else {
      if (slot.arg.value.empty())
        throw UserError(
            fmt::format("args.{}: a scalar needs value = \"<expression>\".", slot.arg.name));
      with_element_type(slot.arg.dtype, slot.arg.name, [](auto) {});  // rejects f16 early
    }
    slots_.push_back(std::move(slot));
  }
  prepared_ = true;
  reset_outputs();
}

void HostArguments::reset_outputs() {
  TUNA_ASSERT(prepared_, "reset_outputs before prepare");
  for (Slot& slot : slots_) {
    if (!slot.arg.is_buffer) continue;
    if (slot.arg.role == ArgRole::Output)
      fill_poison(slot.arg.dtype, slot.data.data(), slot.count);
    else
      std::memcpy(slot.data.data(), slot.initial.data(), slot.initial.size());
  }
}

Value evaluate_scalar(const Argument& arg, const Env& env) {
  try {
    return arg.value.evaluate(env);
  } catch (const UserError& e) {
    throw UserError(fmt::format("args.{}: value '{}': {}", arg.name,
                                arg.value.empty() ? "" : arg.value.text(), e.what()));
  }
}

std::vector<void*> HostArguments::bind(const Env& env) {
  TUNA_ASSERT(prepared_, "run before prepare");
  std::vector<void*> pointers;
  pointers.reserve(slots_.size());
  for (Slot& slot : slots_) {
    if (slot.arg.is_buffer) {
      pointers.push_back(slot.data.data());
      continue;
    }
    store_scalar(slot.arg, evaluate_scalar(slot.arg, env), slot.scalar);
    pointers.push_back(slot.scalar);
  }
  return pointers;
}

std::vector<OutputBuffer> HostArguments::read_outputs() const {
  TUNA_ASSERT(prepared_, "read_outputs before prepare");
  std::vector<OutputBuffer> outputs;
  for (const Slot& slot : slots_) {
    if (!slot.arg.is_buffer || slot.arg.role == ArgRole::Input) continue;
    OutputBuffer out;
    out.name = slot.arg.name;
    out.dtype = slot.arg.dtype;
    out.bytes.assign(slot.data.data(), slot.data.data() + slot.data.size());
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace tuna::host
