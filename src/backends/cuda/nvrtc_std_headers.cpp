#include "backends/cuda/nvrtc_std_headers.hpp"

namespace tuna::cuda {
namespace {

constexpr const char* kBuiltIn =
    "// tuna: NVRTC declares what this header would (printf, assert, malloc, memcpy, the math\n"
    "// functions) itself; the header exists so that code written for nvcc compiles.\n"
    "#pragma once\n";

constexpr const char* kStdint = R"(// tuna: fixed-width integer types for NVRTC (LP64)
#pragma once
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long long intmax_t;
typedef unsigned long long uintmax_t;
#define INT8_MIN (-128)
#define INT16_MIN (-32767 - 1)
#define INT32_MIN (-2147483647 - 1)
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT8_MAX 127
#define INT16_MAX 32767
#define INT32_MAX 2147483647
#define INT64_MAX 9223372036854775807LL
#define UINT8_MAX 255
#define UINT16_MAX 65535
#define UINT32_MAX 4294967295U
#define UINT64_MAX 18446744073709551615ULL
#define INTPTR_MIN INT64_MIN
#define INTPTR_MAX INT64_MAX
#define UINTPTR_MAX UINT64_MAX
#define SIZE_MAX UINT64_MAX
#define INT8_C(c) c
#define INT16_C(c) c
#define INT32_C(c) c
#define INT64_C(c) c##LL
#define UINT8_C(c) c
#define UINT16_C(c) c
#define UINT32_C(c) c##U
#define UINT64_C(c) c##ULL
)";

constexpr const char* kCstdint = R"(// tuna: <stdint.h>, and its types in namespace std
#pragma once
#include <stdint.h>
namespace std {
using ::int8_t; using ::int16_t; using ::int32_t; using ::int64_t;
using ::uint8_t; using ::uint16_t; using ::uint32_t; using ::uint64_t;
using ::intptr_t; using ::uintptr_t; using ::intmax_t; using ::uintmax_t;
}
)";

constexpr const char* kLimits = R"(// tuna: integer limits for NVRTC (LP64, 8-bit signed char)
#pragma once
#define CHAR_BIT 8
#define SCHAR_MIN (-128)
#define SCHAR_MAX 127
#define UCHAR_MAX 255
#define CHAR_MIN SCHAR_MIN
#define CHAR_MAX SCHAR_MAX
#define SHRT_MIN (-32767 - 1)
#define SHRT_MAX 32767
#define USHRT_MAX 65535
#define INT_MIN (-2147483647 - 1)
#define INT_MAX 2147483647
#define UINT_MAX 4294967295U
#define LONG_MIN (-9223372036854775807L - 1)
#define LONG_MAX 9223372036854775807L
#define ULONG_MAX 18446744073709551615UL
#define LLONG_MIN (-9223372036854775807LL - 1)
#define LLONG_MAX 9223372036854775807LL
#define ULLONG_MAX 18446744073709551615ULL
)";

constexpr const char* kFloat = R"(// tuna: limits of IEEE-754 float and double for NVRTC
#pragma once
#define FLT_RADIX 2
#define FLT_MANT_DIG 24
#define DBL_MANT_DIG 53
#define FLT_DIG 6
#define DBL_DIG 15
#define FLT_MIN_EXP (-125)
#define DBL_MIN_EXP (-1021)
#define FLT_MAX_EXP 128
#define DBL_MAX_EXP 1024
#define FLT_MAX 3.40282346638528859812e+38F
#define DBL_MAX 1.79769313486231570815e+308
#define FLT_MIN 1.17549435082228750797e-38F
#define DBL_MIN 2.22507385850720138309e-308
#define FLT_EPSILON 1.19209289550781250000e-7F
#define DBL_EPSILON 2.22044604925031308085e-16
#define FLT_TRUE_MIN 1.40129846432481707092e-45F
#define DBL_TRUE_MIN 4.94065645841246544177e-324
)";

}  // namespace

const std::vector<InMemoryHeader>& nvrtc_std_headers() {
  static const std::vector<InMemoryHeader> headers = {
      {"stdio.h", kBuiltIn},   {"cstdio", kBuiltIn},   {"assert.h", kBuiltIn},
      {"cassert", kBuiltIn},   {"math.h", kBuiltIn},   {"cmath", kBuiltIn},
      {"stdlib.h", kBuiltIn},  {"cstdlib", kBuiltIn},  {"string.h", kBuiltIn},
      {"cstring", kBuiltIn},   {"stddef.h", kBuiltIn}, {"cstddef", kBuiltIn},
      {"stdint.h", kStdint},   {"cstdint", kCstdint},  {"limits.h", kLimits},
      {"climits", kLimits},    {"float.h", kFloat},    {"cfloat", kFloat},
  };
  return headers;
}

}  // namespace tuna::cuda
