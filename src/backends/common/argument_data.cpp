#include "backends/common/argument_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "backends/common/half_float.hpp"
#include "base/usable_cores.hpp"
#include "core/array_file.hpp"
#include "tuna/errors.hpp"

namespace tuna::backends {
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
  // f16 has no C++ element type: the public functions below handle it before they get here.
  throw InternalError(fmt::format("args.{}: f16 reached with_element_type", arg_name));
}

constexpr std::uint16_t kHalfQuietNan = 0x7E00;

// The same argument as f32: f16 data is made as f32 and rounded.
Argument as_f32(const Argument& arg) {
  Argument copy = arg;
  copy.dtype = Dtype::F32;
  return copy;
}

void fill_initial_half(const Argument& arg, std::uint64_t seed, std::size_t index,
                       unsigned char* data, std::int64_t count) {
  std::vector<float> staging(static_cast<std::size_t>(count));
  fill_initial(as_f32(arg), seed, index, reinterpret_cast<unsigned char*>(staging.data()), count);
  for (std::int64_t i = 0; i < count; ++i) {
    std::uint16_t bits = float_to_half_bits(staging[static_cast<std::size_t>(i)]);
    std::memcpy(data + 2 * i, &bits, 2);
  }
}

void store_scalar_half(const Argument& arg, const Value& value, unsigned char* slot) {
  float as_float = 0;
  store_scalar(as_f32(arg), value, slot);
  std::memcpy(&as_float, slot, sizeof as_float);
  std::uint16_t bits = float_to_half_bits(as_float);
  std::memset(slot, 0, 8);
  std::memcpy(slot, &bits, 2);
}

// The file was checked when the spec was loaded; it can still have changed since, so the
// message names the argument (as other run-time messages do) and the file.
void fill_from_file(const Argument& arg, unsigned char* data, std::int64_t count) {
  try {
    read_array_file(arg.file, arg.dtype, count, data);
  } catch (const ArrayFileError& e) {
    throw UserError(fmt::format("args.{}.file: {}", arg.name, e.what()));
  }
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

// Random inputs are drawn in chunks of this many elements, each from its own generator, so that
// the chunks fill on every core at once (a 4096² SGEMM's two inputs took 0.3-0.8 s on one core,
// before its first config could run) while the values depend only on the seed, never on the
// number of threads. Chunk 0's generator is the one a whole buffer used before chunks, so
// buffers of up to this many elements hold what they always held.
constexpr std::int64_t kRandomChunk = std::int64_t{1} << 20;

// The seed of chunk `chunk` of a buffer whose chunk 0 is seeded by `base` (splitmix64's
// finaliser, so that neighbouring chunks and neighbouring arguments do not share streams).
std::uint64_t chunk_seed(std::uint64_t base, std::int64_t chunk) {
  if (chunk == 0) return base;
  std::uint64_t z = base + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(chunk);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Calls draw(rng, begin, end) for every chunk of [0, count), on up to usable_cores() threads.
template <class Draw>
void draw_in_chunks(std::uint64_t seed, std::int64_t count, const Draw& draw) {
  const std::int64_t chunks = (count + kRandomChunk - 1) / kRandomChunk;
  auto fill_chunk = [&](std::int64_t chunk) {
    std::mt19937_64 rng(chunk_seed(seed, chunk));
    draw(rng, chunk * kRandomChunk, std::min(count, (chunk + 1) * kRandomChunk));
  };
  const auto threads = static_cast<std::int64_t>(
      std::min<std::int64_t>(chunks, static_cast<std::int64_t>(usable_cores())));
  if (threads <= 1) {
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) fill_chunk(chunk);
    return;
  }
  std::vector<std::jthread> pool;
  for (std::int64_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (std::int64_t chunk = t; chunk < chunks; chunk += threads) fill_chunk(chunk);
    });
}

template <class T>
void fill_random(const Argument& arg, std::uint64_t seed, T* out, std::int64_t count) {
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
    draw_in_chunks(seed, count, [&](std::mt19937_64& rng, std::int64_t begin, std::int64_t end) {
      std::uniform_real_distribution<double> dist(arg.random_lo, arg.random_hi);
      for (std::int64_t i = begin; i < end; ++i) out[i] = static_cast<T>(dist(rng));
    });
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
    draw_in_chunks(seed, count, [&](std::mt19937_64& rng, std::int64_t begin, std::int64_t end) {
      std::uniform_int_distribution<Wide> dist(static_cast<Wide>(lo), static_cast<Wide>(hi));
      for (std::int64_t i = begin; i < end; ++i) out[i] = static_cast<T>(dist(rng));
    });
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
    case InitKind::Random:
      return fill_random(arg, seed + arg_index, out, count);
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
    case InitKind::File:
      break;  // fill_initial reads files before it dispatches on the type
  }
}

}  // namespace

void fill_initial(const Argument& arg, std::uint64_t seed, std::size_t arg_index,
                  unsigned char* data, std::int64_t count) {
  // Before the f16 path: a file holds the half-precision bits themselves.
  if (arg.init == InitKind::File) return fill_from_file(arg, data, count);
  if (arg.dtype == Dtype::F16) return fill_initial_half(arg, seed, arg_index, data, count);
  with_element_type(arg.dtype, arg.name, [&](auto zero) {
    using T = decltype(zero);
    fill_typed<T>(arg, seed, arg_index, typed<T>(data), count);
  });
}

PoisonWord poison_word(Dtype dtype) {
  switch (dtype) {
    case Dtype::F16:
      return {kHalfQuietNan, 2};
    case Dtype::F32:
      return {0x7FC00000u, 4};  // the quiet NaN
    case Dtype::F64:
      // 0x7FF800007FF80000: exponent all ones, the quiet bit set, so a quiet NaN, and its two
      // halves equal, so that a device fills it with a 32-bit memset.
      return {0x7FF80000u, 4};
    case Dtype::I8:
    case Dtype::U8:
      return {0xEFu, 1};
    case Dtype::I16:
    case Dtype::U16:
      return {0xBEEFu, 2};
    case Dtype::I32:
    case Dtype::U32:
    case Dtype::I64:
    case Dtype::U64:
      return {0x7EADBEEFu, 4};
  }
  throw InternalError("poison_word: unknown dtype");
}

void fill_poison(Dtype dtype, unsigned char* data, std::int64_t count) {
  const PoisonWord word = poison_word(dtype);
  const std::size_t bytes = static_cast<std::size_t>(count) * dtype_size(dtype);
  for (std::size_t at = 0; at < bytes; at += word.bytes)
    std::memcpy(data + at, &word.value, word.bytes);  // little-endian, as every device here
}

void store_scalar(const Argument& arg, const Value& value, unsigned char* slot) {
  if (value.is_string())
    throw UserError(fmt::format("args.{}: value '{}' is a string; a {} scalar needs a number.",
                                arg.name, value.as_string(), dtype_name(arg.dtype)));
  if (arg.dtype == Dtype::F16) return store_scalar_half(arg, value, slot);
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

Value evaluate_scalar(const Argument& arg, const Env& env) {
  try {
    return arg.value.evaluate(env);
  } catch (const UserError& e) {
    throw UserError(fmt::format("args.{}: value '{}': {}", arg.name,
                                arg.value.empty() ? "" : arg.value.text(), e.what()));
  }
}

}  // namespace tuna::backends
