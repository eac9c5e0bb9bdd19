// y[r][:] = softmax(x[r][:]) for each row r of a row-major fp32 matrix of `rows` x `cols`:
// y[r][c] = exp(x[r][c] - m_r) / sum_c' exp(x[r][c'] - m_r), with m_r the row's maximum
// (subtracting it keeps exp from overflowing, whatever the inputs).
//
// Three variants of the same arithmetic, picked by ONLINE and ROW_CACHE:
//   ROW_CACHE = 0, ONLINE = 0: three passes over the row in memory (max, sum of exp, write).
//   ROW_CACHE = 0, ONLINE = 1: two passes: a running (max, sum) pair that rescales the sum when
//     the max grows, then the write pass.
//   ROW_CACHE > 0: the row is read once into registers; both statistics and the output come
//     from there (ONLINE = 1 then merges max and sum in one reduction across threads instead
//     of two, at the cost of a second exp per element).
//
// Thread-to-data mapping (block = TPR * RPB threads, 1-D; grid = ceil(rows / RPB) blocks):
//   group = threadIdx.x / TPR (RPB groups per block), g = threadIdx.x % TPR.
//   Group `group` of block b owns row b * RPB + group. The row is nv = cols / VEC vectors of
//   VEC floats; thread g handles vectors g, g + TPR, g + 2 * TPR, ... (coalesced across the
//   group). With ROW_CACHE > 0, vector g + k * TPR sits in register slot k, k < ROW_CACHE.
//   Reductions across a group: xor shuffles over the group's lanes (TPR <= 32: the group is
//   TPR aligned lanes of one warp), then for TPR > 32 one value per warp in shared memory, a
//   barrier, and every thread folds its group's TPR / 32 values in the same order. Each
//   reduction has its own shared array, so no array is rewritten after a barrier.
//   A group whose row is past the end (only when rows % RPB != 0) loads nothing, takes part
//   in the barriers, and writes nothing.
// Needs: cols % VEC == 0; ROW_CACHE * TPR * VEC >= cols when ROW_CACHE > 0.

#ifndef TPR
#define TPR 32
#endif
#ifndef RPB
#define RPB 4
#endif
#ifndef VEC
#define VEC 1
#endif
#ifndef ONLINE
#define ONLINE 0
#endif
#ifndef ROW_CACHE
#define ROW_CACHE 0
#endif

#define THREADS (TPR * RPB)
#define WARPS_PER_GROUP (TPR > 32 ? TPR / 32 : 1)
#define NEG_INF (-__int_as_float(0x7f800000))

static_assert((TPR & (TPR - 1)) == 0 && TPR <= 1024, "TPR must be a power of two up to 1024");
static_assert(THREADS % 32 == 0 && THREADS <= 1024, "a block is whole warps, at most 1024 threads");

template <int V> struct Vec;
template <> struct Vec<1> { typedef float T; };
template <> struct Vec<2> { typedef float2 T; };
template <> struct Vec<4> { typedef float4 T; };
typedef Vec<VEC>::T VecT;

__device__ __forceinline__ float lane(float v, int) { return v; }
__device__ __forceinline__ float lane(float2 v, int i) { return i == 0 ? v.x : v.y; }
__device__ __forceinline__ float lane(float4 v, int i) {
  return i == 0 ? v.x : i == 1 ? v.y : i == 2 ? v.z : v.w;
}
__device__ __forceinline__ void set_lane(float& v, int, float x) { v = x; }
__device__ __forceinline__ void set_lane(float2& v, int i, float x) {
  if (i == 0) v.x = x; else v.y = x;
}
__device__ __forceinline__ void set_lane(float4& v, int i, float x) {
  if (i == 0) v.x = x; else if (i == 1) v.y = x; else if (i == 2) v.z = x; else v.w = x;
}

struct MaxOp { static __device__ __forceinline__ float apply(float a, float b) { return fmaxf(a, b); } };
struct SumOp { static __device__ __forceinline__ float apply(float a, float b) { return a + b; } };

// (m, s) <- the pair for the union of both sets: max, and the sum of exp relative to it.
// Commutative bit for bit, so every lane of a butterfly ends with the same pair.
__device__ __forceinline__ void merge(float& m, float& s, float m2, float s2) {
  const float mn = fmaxf(m, m2);
  if (mn == NEG_INF) return;  // both sets empty
  s = s * __expf(m - mn) + s2 * __expf(m2 - mn);
  m = mn;
}

// The reduction of v over the calling thread's group, returned to every thread of the group.
// `sm` holds RPB * WARPS_PER_GROUP floats and is used by this call only.
template <class Op>
__device__ __forceinline__ float group_reduce(float v, float* sm) {
#pragma unroll
  for (int o = (TPR < 32 ? TPR : 32) / 2; o > 0; o >>= 1)
    v = Op::apply(v, __shfl_xor_sync(0xffffffffu, v, o));
#if TPR > 32
  const int first = (threadIdx.x / TPR) * WARPS_PER_GROUP;
  if ((threadIdx.x & 31) == 0) sm[threadIdx.x / 32] = v;  // warp w of the block -> slot w
  __syncthreads();
  v = sm[first];
#pragma unroll
  for (int w = 1; w < WARPS_PER_GROUP; ++w) v = Op::apply(v, sm[first + w]);
#endif
  return v;
}

__device__ __forceinline__ void group_merge(float& m, float& s, float* sm_m, float* sm_s) {
#pragma unroll
  for (int o = (TPR < 32 ? TPR : 32) / 2; o > 0; o >>= 1) {
    const float m2 = __shfl_xor_sync(0xffffffffu, m, o);
    const float s2 = __shfl_xor_sync(0xffffffffu, s, o);
    merge(m, s, m2, s2);
  }
#if TPR > 32
  const int first = (threadIdx.x / TPR) * WARPS_PER_GROUP;
  if ((threadIdx.x & 31) == 0) {
    sm_m[threadIdx.x / 32] = m;
    sm_s[threadIdx.x / 32] = s;
  }
  __syncthreads();
  m = sm_m[first];
  s = sm_s[first];
#pragma unroll
  for (int w = 1; w < WARPS_PER_GROUP; ++w) merge(m, s, sm_m[first + w], sm_s[first + w]);
#endif
}

extern "C" __global__ void __launch_bounds__(THREADS)
softmax(const float* __restrict__ x, float* __restrict__ y, int rows, int cols) {
  __shared__ float sm_a[RPB * WARPS_PER_GROUP];
  __shared__ float sm_b[RPB * WARPS_PER_GROUP];
  const int g = threadIdx.x % TPR;
  const long long row = (long long)blockIdx.x * RPB + threadIdx.x / TPR;
  const int nv = row < rows ? cols / VEC : 0;  // a group past the end touches no memory
  const VecT* xr = reinterpret_cast<const VecT*>(x + row * cols);
  VecT* yr = reinterpret_cast<VecT*>(y + row * cols);

#if ROW_CACHE > 0
  VecT c[ROW_CACHE];
#pragma unroll
  for (int k = 0; k < ROW_CACHE; ++k)
    if (g + k * TPR < nv) c[k] = xr[g + k * TPR];

  float m = NEG_INF;
#pragma unroll
  for (int k = 0; k < ROW_CACHE; ++k)
    if (g + k * TPR < nv)
#pragma unroll
      for (int i = 0; i < VEC; ++i) m = fmaxf(m, lane(c[k], i));

#if ONLINE
  float s = 0.f;
  if (m != NEG_INF) {
#pragma unroll
    for (int k = 0; k < ROW_CACHE; ++k)
      if (g + k * TPR < nv)
#pragma unroll
        for (int i = 0; i < VEC; ++i) s += __expf(lane(c[k], i) - m);
  }
  group_merge(m, s, sm_a, sm_b);
  const float inv = 1.f / s;
#pragma unroll
  for (int k = 0; k < ROW_CACHE; ++k)
    if (g + k * TPR < nv) {
      VecT out;
#pragma unroll
      for (int i = 0; i < VEC; ++i) set_lane(out, i, __expf(lane(c[k], i) - m) * inv);
      yr[g + k * TPR] = out;
    }
#else
  m = group_reduce<MaxOp>(m, sm_a);
  float s = 0.f;
#pragma unroll
  for (int k = 0; k < ROW_CACHE; ++k)
    if (g + k * TPR < nv)
#pragma unroll
      for (int i = 0; i < VEC; ++i) {
        const float e = __expf(lane(c[k], i) - m);
        set_lane(c[k], i, e);  // keep exp for the write
        s += e;
      }
  s = group_reduce<SumOp>(s, sm_b);
  const float inv = 1.f / s;
#pragma unroll
  for (int k = 0; k < ROW_CACHE; ++k)
    if (g + k * TPR < nv) {
      VecT out;
#pragma unroll
      for (int i = 0; i < VEC; ++i) set_lane(out, i, lane(c[k], i) * inv);
      yr[g + k * TPR] = out;
    }
#endif

#else  // ROW_CACHE == 0: the row is read from memory in every pass

#if ONLINE
  float m = NEG_INF, s = 0.f;
#pragma unroll 4
  for (int v = g; v < nv; v += TPR) {
    const VecT xv = xr[v];
#pragma unroll
    for (int i = 0; i < VEC; ++i) {
      const float e = lane(xv, i);
      if (e > m) {  // a new maximum: rescale what was summed so far
        s = s * __expf(m - e) + 1.f;
        m = e;
      } else {
        s += __expf(e - m);
      }
    }
  }
  group_merge(m, s, sm_a, sm_b);
#else
  float m = NEG_INF;
#pragma unroll 4
  for (int v = g; v < nv; v += TPR) {
    const VecT xv = xr[v];
#pragma unroll
    for (int i = 0; i < VEC; ++i) m = fmaxf(m, lane(xv, i));
  }
  m = group_reduce<MaxOp>(m, sm_a);
  float s = 0.f;
#pragma unroll 4
  for (int v = g; v < nv; v += TPR) {
    const VecT xv = xr[v];
#pragma unroll
    for (int i = 0; i < VEC; ++i) s += __expf(lane(xv, i) - m);
  }
  s = group_reduce<SumOp>(s, sm_b);
#endif
  const float inv = 1.f / s;
#pragma unroll 4
  for (int v = g; v < nv; v += TPR) {
    const VecT xv = xr[v];
    VecT out;
#pragma unroll
    for (int i = 0; i < VEC; ++i) set_lane(out, i, __expf(lane(xv, i) - m) * inv);
    yr[v] = out;
  }
#endif
}

// The reference: one thread per row (grid-stride over rows, any launch geometry), in double
// with exp(), rounded once to float.
extern "C" __global__ void softmax_reference(const float* x, float* y, int rows, int cols) {
  const long long threads_per_block = (long long)blockDim.x * blockDim.y * blockDim.z;
  const long long block =
      blockIdx.x + (long long)gridDim.x * (blockIdx.y + (long long)gridDim.y * blockIdx.z);
  const long long thread = threadIdx.x + blockDim.x * (threadIdx.y + (long long)blockDim.y * threadIdx.z);
  const long long stride = threads_per_block * gridDim.x * gridDim.y * gridDim.z;
  for (long long r = block * threads_per_block + thread; r < rows; r += stride) {
    const float* xr = x + r * cols;
    double m = xr[0];
    for (int c = 1; c < cols; ++c) m = xr[c] > m ? xr[c] : m;
    double s = 0.0;
    for (int c = 0; c < cols; ++c) s += exp(xr[c] - m);
    for (int c = 0; c < cols; ++c) y[r * cols + c] = (float)(exp(xr[c] - m) / s);
  }
}
