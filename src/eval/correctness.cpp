#include "eval/correctness.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "tuna/errors.hpp"

namespace tuna::eval {
namespace {

template <typename T>
double load(const OutputBuffer& b, std::size_t i) {
  T v;
  std::memcpy(&v, b.bytes.data() + i * sizeof(T), sizeof(T));
  return static_cast<double>(v);
}

// IEEE 754 binary16 to double, including subnormals, infinities and NaN.
double half_to_double(std::uint16_t h) {
  int sign = (h >> 15) & 1;
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  double magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(mantissa, -24);
  } else if (exponent == 31) {
    magnitude = mantissa ? std::nan("") : INFINITY;
  } else {
    magnitude = std::ldexp(mantissa + 1024, exponent - 25);
  }
  return sign ? -magnitude : magnitude;
}

double max_magnitude(const OutputBuffer& b) {
  double m = 0;
  for (std::size_t i = 0, n = element_count(b); i < n; ++i) {
    double v = std::fabs(element_as_double(b, i));
    if (std::isfinite(v) && v > m) m = v;
  }
  return m;
}

bool same_non_finite(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::isinf(a) && std::isinf(b) && std::signbit(a) == std::signbit(b);
}

}  // namespace

std::size_t element_count(const OutputBuffer& buffer) {
  return buffer.bytes.size() / dtype_size(buffer.dtype);
}

double element_as_double(const OutputBuffer& b, std::size_t i) {
  switch (b.dtype) {
    case Dtype::F16: {
      std::uint16_t h;
      std::memcpy(&h, b.bytes.data() + i * 2, 2);
      return half_to_double(h);
    }
    case Dtype::F32: return load<float>(b, i);
    case Dtype::F64: return load<double>(b, i);
    case Dtype::I8: return load<std::int8_t>(b, i);
    case Dtype::I16: return load<std::int16_t>(b, i);
    case Dtype::I32: return load<std::int32_t>(b, i);
    case Dtype::I64: return load<std::int64_t>(b, i);
    case Dtype::U8: return load<std::uint8_t>(b, i);
    case Dtype::U16: return load<std::uint16_t>(b, i);
    case Dtype::U32: return load<std::uint32_t>(b, i);
    case Dtype::U64: return load<std::uint64_t>(b, i);
  }
  TUNA_ASSERT(false, "unknown dtype");
}

CheckOutcome check_outputs(const std::vector<OutputBuffer>& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol) {
  TUNA_ASSERT(reference.size() == outputs.size(), "reference and outputs differ in count");
  CheckOutcome outcome;
  for (std::size_t b = 0; b < reference.size(); ++b) {
    const OutputBuffer& ref = reference[b];
    const OutputBuffer& out = outputs[b];
    TUNA_ASSERT(ref.bytes.size() == out.bytes.size(), "output buffer size changed: " + ref.name);
    double tolerance = atol + rtol * max_magnitude(ref);
    std::size_t failures = 0;
    for (std::size_t i = 0, n = element_count(ref); i < n; ++i) {
      double r = element_as_double(ref, i);
      double o = element_as_double(out, i);
      if (same_non_finite(r, o)) continue;
      double error = std::fabs(o - r);
      if (std::isnan(error)) error = INFINITY;
      if (error > outcome.max_abs_error) outcome.max_abs_error = error;
      if (error <= tolerance) continue;
      if (failures++ == 0 && outcome.ok) {
        outcome.ok = false;
        outcome.message = fmt::format("{}[{}] = {:.6g}, expected {:.6g} (tolerance {:.3g})",
                                      ref.name, i, o, r, tolerance);
      }
    }
    if (failures > 1 && outcome.message.find(ref.name + "[") == 0) {
      outcome.message += fmt::format("; {} of {} elements of {} differ", failures,
                                     element_count(ref), ref.name);
    }
  }
  return outcome;
}

}  // namespace tuna::eval
