#include "backends/cuda/check_kernels.hpp"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "backends/cuda/nvrtc_api.hpp"
#include "backends/cuda/nvrtc_program.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

// Grid-stride loops; each warp reduces its lanes with shuffles and one lane per warp updates the
// summary with atomics (max and min on 64-bit integers: non-negative doubles order as their
// bits). No headers: NVRTC needs none, and fp16 is converted with cvt.
constexpr const char* kSource = R"cuda(
typedef unsigned long long u64;
struct f16 { unsigned short bits; };
struct Summary { u64 max_error_bits; u64 failures; u64 first_failure; };

__device__ __forceinline__ double as_double(f16 v) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v.bits));
  return (double)f;
}
template <typename T> __device__ __forceinline__ double as_double(T v) { return (double)v; }

__device__ __forceinline__ bool same_non_finite(double a, double b) {
  if (isnan(a) && isnan(b)) return true;
  return isinf(a) && isinf(b) && signbit(a) == signbit(b);
}

__device__ __forceinline__ double warp_max(double v) {
  for (int d = 16; d > 0; d >>= 1) v = fmax(v, __shfl_down_sync(0xffffffffu, v, d));
  return v;
}
__device__ __forceinline__ u64 warp_sum(u64 v) {
  for (int d = 16; d > 0; d >>= 1) v += __shfl_down_sync(0xffffffffu, v, d);
  return v;
}
__device__ __forceinline__ u64 warp_min(u64 v) {
  for (int d = 16; d > 0; d >>= 1) v = min(v, __shfl_down_sync(0xffffffffu, v, d));
  return v;
}

template <typename T>
__device__ void magnitude(const T* ref, u64 n, u64* max_bits) {
  double m = 0;
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < n; i += (u64)gridDim.x * blockDim.x) {
    double v = fabs(as_double(ref[i]));
    if (isfinite(v) && v > m) m = v;
  }
  m = warp_max(m);
  if ((threadIdx.x & 31) == 0) atomicMax(max_bits, (u64)__double_as_longlong(m));
}

template <typename T>
__device__ void compare(const T* ref, const T* out, u64 n, double tolerance, Summary* s) {
  double max_error = 0;
  u64 failures = 0, first = ~0ull;
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < n; i += (u64)gridDim.x * blockDim.x) {
    double r = as_double(ref[i]), o = as_double(out[i]);
    if (same_non_finite(r, o)) continue;
    double error = fabs(o - r);
    if (isnan(error)) error = __longlong_as_double(0x7ff0000000000000ll);  // +inf
    if (error > max_error) max_error = error;
    if (error <= tolerance) continue;
    ++failures;
    if (i < first) first = i;
  }
  max_error = warp_max(max_error);
  failures = warp_sum(failures);
  first = warp_min(first);
  if ((threadIdx.x & 31) == 0) {
    atomicMax(&s->max_error_bits, (u64)__double_as_longlong(max_error));
    if (failures > 0) {
      atomicAdd(&s->failures, failures);
      atomicMin(&s->first_failure, first);
    }
  }
}

#define TUNA_CHECK_KERNELS(NAME, TYPE)                                                        \
  extern "C" __global__ void tuna_magnitude_##NAME(const TYPE* ref, u64 n, u64* max_bits) {   \
    magnitude(ref, n, max_bits);                                                              \
  }                                                                                           \
  extern "C" __global__ void tuna_compare_##NAME(const TYPE* ref, const TYPE* out, u64 n,    \
                                                 double tolerance, Summary* s) {              \
    compare(ref, out, n, tolerance, s);                                                       \
  }
)cuda";

// The source's name of each element type, for TUNA_CHECK_KERNELS.
const char* device_type_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::F16: return "f16";
    case Dtype::F32: return "float";
    case Dtype::F64: return "double";
    case Dtype::I8: return "signed char";
    case Dtype::I16: return "short";
    case Dtype::I32: return "int";
    case Dtype::I64: return "long long";
    case Dtype::U8: return "unsigned char";
    case Dtype::U16: return "unsigned short";
    case Dtype::U32: return "unsigned int";
    case Dtype::U64: return "unsigned long long";
  }
  throw InternalError("check kernels: unknown dtype");
}

}  // namespace

std::string check_kernel_name(const char* kind, Dtype dtype) {
  return fmt::format("tuna_{}_{}", kind, dtype_name(dtype));
}

std::string compile_check_kernels(const NvrtcApi& nvrtc, int compute_capability,
                                  const std::set<Dtype>& dtypes) {
  std::string source = kSource;
  for (Dtype dtype : dtypes)
    source += fmt::format("TUNA_CHECK_KERNELS({}, {})\n", dtype_name(dtype), device_type_name(dtype));
  Program program(nvrtc, source, "tuna_check_kernels.cu");
  const std::string arch = fmt::format("--gpu-architecture=sm_{}", compute_capability);
  const std::vector<const char*> options = {arch.c_str(), "-std=c++17"};
  const nvrtcResult r = nvrtc.compile_program(program.get(), static_cast<int>(options.size()),
                                              options.data());
  if (r != NVRTC_SUCCESS)
    throw UserError(fmt::format(
        "cuda backend: NVRTC {} cannot compile tuna's correctness-check kernels for sm_{} ({}): "
        "{}. Run with TUNA_HOST_CHECK=1 to check on the host instead, and report this.",
        nvrtc.version(), compute_capability, nvrtc.error_string(r), program.log()));
  return program.cubin();
}

}  // namespace tuna::cuda
