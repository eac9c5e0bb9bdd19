#pragma once
// Reading the elements of a typed buffer as doubles: one decoder per dtype, so that loops over a
// buffer (the correctness check compares GiBs of them) are monomorphic, and one call for a
// single element (a failing element's value in a message).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "backends/common/half_float.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna::backends {

// Element i of a buffer of T.
template <typename T>
struct PlainDecoder {
  static double at(const unsigned char* p, std::size_t i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    return static_cast<double>(v);
  }
};

// Element i of a buffer of binary16, decoded exactly.
struct HalfDecoder {
  static double at(const unsigned char* p, std::size_t i) {
    std::uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    return half_bits_to_double(h);
  }
};

// Calls f.template operator()<Decoder>() with the decoder of `dtype`.
template <typename F>
auto with_decoder(Dtype dtype, F&& f) {
  switch (dtype) {
    case Dtype::F16: return f.template operator()<HalfDecoder>();
    case Dtype::F32: return f.template operator()<PlainDecoder<float>>();
    case Dtype::F64: return f.template operator()<PlainDecoder<double>>();
    case Dtype::I8: return f.template operator()<PlainDecoder<std::int8_t>>();
    case Dtype::I16: return f.template operator()<PlainDecoder<std::int16_t>>();
    case Dtype::I32: return f.template operator()<PlainDecoder<std::int32_t>>();
    case Dtype::I64: return f.template operator()<PlainDecoder<std::int64_t>>();
    case Dtype::U8: return f.template operator()<PlainDecoder<std::uint8_t>>();
    case Dtype::U16: return f.template operator()<PlainDecoder<std::uint16_t>>();
    case Dtype::U32: return f.template operator()<PlainDecoder<std::uint32_t>>();
    case Dtype::U64: return f.template operator()<PlainDecoder<std::uint64_t>>();
  }
  TUNA_ASSERT(false, "unknown dtype");
}

// Element `i` of a buffer of `dtype` at `bytes`, as a double.
inline double load_element(Dtype dtype, const unsigned char* bytes, std::size_t i = 0) {
  return with_decoder(dtype, [&]<typename D>() { return D::at(bytes, i); });
}

}  // namespace tuna::backends
