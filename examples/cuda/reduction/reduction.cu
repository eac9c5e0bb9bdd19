// out[0] = x[0] + x[1] + ... + x[n-1] in fp32, in one launch.
//
// A sum reads every input once and writes one float, so it is limited by the read bandwidth.
// Each block sums a grid-stride share of x into its own partial sum and stores it in
// partials[blockIdx.x]; the last block to finish (found with an atomic ticket) adds the
// partials in a fixed order and writes out[0]. No atomics on floats: for a given configuration
// the result is the same on every run. Different configurations add in different orders, so
// they differ by rounding (spec.toml's tolerance).
//
// Thread-to-data mapping (block = THREADS threads, 1-D; grid = BLOCKS_PER_SM * SMs blocks):
//   x is viewed as nv = n / VEC vectors of VEC floats. A chunk is THREADS * UNROLL consecutive
//   vectors; chunk q holds vectors q * THREADS * UNROLL + u * THREADS + t for u < UNROLL, so
//   thread t reads vector t of each of the UNROLL slices (coalesced across the block), all
//   UNROLL loads issued before the first add. Block b takes chunks b, b + gridDim.x, ...
//   The vectors after the last whole chunk, and the n % VEC floats after the last vector, are
//   taken one per thread by a grid-stride loop over all gridDim.x * THREADS threads.
//   Every element is read exactly once, whatever n, grid and block.
//   Per thread: UNROLL accumulators of VEC lanes; they are added together, then the block's
//   THREADS sums are reduced (shared-memory tree or warp shuffles, FINAL), and thread 0 stores
//   the block's partial sum.
//   Last block: thread 0 takes a ticket with atomicInc(counter, gridDim.x - 1), which counts
//   0, 1, ..., gridDim.x - 1 and then wraps to 0, so the counter is zero again for the next
//   launch. The block whose ticket is gridDim.x - 1 reads all partials (through L2: __ldcg),
//   reduces them the same way and writes out[0].
// Needs: THREADS a power of two, 64 <= THREADS <= 1024; the counter zero before the first launch
// (spec.toml: init = "zeros"); partials holding gridDim.x floats.

#ifndef THREADS
#define THREADS 256
#endif
#ifndef VEC
#define VEC 1
#endif
#ifndef UNROLL
#define UNROLL 1
#endif
#ifndef FINAL
#define FINAL 0
#endif

static_assert(THREADS >= 64 && THREADS <= 1024 && (THREADS & (THREADS - 1)) == 0,
              "THREADS must be a power of two from 64 to 1024");
static_assert(FINAL == 0 || FINAL == 1, "FINAL is 0 (shared-memory tree) or 1 (warp shuffles)");

template <int V> struct Vec;
template <> struct Vec<1> { typedef float T; };
template <> struct Vec<2> { typedef float2 T; };
template <> struct Vec<4> { typedef float4 T; };

__device__ __forceinline__ float hsum(float v) { return v; }
__device__ __forceinline__ float hsum(float2 v) { return v.x + v.y; }
__device__ __forceinline__ float hsum(float4 v) { return (v.x + v.y) + (v.z + v.w); }
__device__ __forceinline__ void add(float& a, float b) { a += b; }
__device__ __forceinline__ void add(float2& a, float2 b) { a.x += b.x; a.y += b.y; }
__device__ __forceinline__ void add(float4& a, float4 b) {
  a.x += b.x; a.y += b.y; a.z += b.z; a.w += b.w;
}
template <typename T> __device__ __forceinline__ T zero();
template <> __device__ __forceinline__ float zero<float>() { return 0.f; }
template <> __device__ __forceinline__ float2 zero<float2>() { return make_float2(0.f, 0.f); }
template <> __device__ __forceinline__ float4 zero<float4>() { return make_float4(0.f, 0.f, 0.f, 0.f); }

// Sum of v over the block; the result is valid in thread 0. `scratch` holds THREADS floats.
// All threads must call it (it has barriers). Callers separate two calls by a barrier.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int t = threadIdx.x;
#if FINAL == 0
  // Shared-memory tree: halve the active threads at each step, a barrier between steps.
  scratch[t] = v;
  __syncthreads();
#pragma unroll
  for (int s = THREADS / 2; s > 0; s >>= 1) {
    if (t < s) scratch[t] += scratch[t + s];
    __syncthreads();
  }
  return scratch[0];
#else
  // Warp shuffles: each warp sums its 32 values in registers, warp 0 sums the warps' results.
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  if ((t & 31) == 0) scratch[t >> 5] = v;
  __syncthreads();
  if (t < 32) {
    v = t < THREADS / 32 ? scratch[t] : 0.f;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  }
  return v;
#endif
}

extern "C" __global__ void __launch_bounds__(THREADS)
reduce_sum(const float* __restrict__ x, float* __restrict__ out, float* partials,
           unsigned int* counter, int n) {
  typedef Vec<VEC>::T VecT;
  __shared__ float scratch[THREADS];
  __shared__ bool is_last;

  const int t = threadIdx.x;
  const VecT* xv = reinterpret_cast<const VecT*>(x);
  const int nv = n / VEC;
  const int chunk = THREADS * UNROLL;
  const int whole_chunks = nv / chunk;

  VecT acc[UNROLL];
#pragma unroll
  for (int u = 0; u < UNROLL; ++u) acc[u] = zero<VecT>();

  for (int q = blockIdx.x; q < whole_chunks; q += gridDim.x) {
    const VecT* base = xv + (long long)q * chunk + t;
    VecT v[UNROLL];
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) v[u] = base[u * THREADS];
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) add(acc[u], v[u]);
  }

  // The vectors after the last whole chunk, then the floats after the last whole vector.
  const long long thread_id = (long long)blockIdx.x * THREADS + t;
  const long long all_threads = (long long)gridDim.x * THREADS;
  for (long long i = (long long)whole_chunks * chunk + thread_id; i < nv; i += all_threads)
    add(acc[0], xv[i]);
  float sum = 0.f;
  for (long long i = (long long)nv * VEC + thread_id; i < n; i += all_threads) sum += x[i];

#pragma unroll
  for (int u = 0; u < UNROLL; ++u) sum += hsum(acc[u]);

  sum = block_sum(sum, scratch);
  if (t == 0) {
    partials[blockIdx.x] = sum;
    // Make the partial visible device-wide before the ticket that announces it.
    __threadfence();
    const unsigned int ticket = atomicInc(counter, gridDim.x - 1);
    is_last = ticket == gridDim.x - 1;
  }
  __syncthreads();
  if (!is_last) return;  // uniform across the block

  // Last block: every other block's partial was fenced before its ticket.
  __threadfence();
  float total = 0.f;
  for (int b = t; b < (int)gridDim.x; b += THREADS) total += __ldcg(partials + b);
  total = block_sum(total, scratch);
  if (t == 0) out[0] = total;
}

// The reference: block 0 alone sums x in double (any block size up to 1024, any grid; the other
// blocks return at once), then rounds once to float. Slow, but run once per tuning run.
extern "C" __global__ void reduce_sum_reference(const float* x, float* out, float* partials,
                                                unsigned int* counter, int n) {
  __shared__ double sums[1024];
  if (blockIdx.x != 0 || blockIdx.y != 0 || blockIdx.z != 0) return;
  const int threads = blockDim.x * blockDim.y * blockDim.z;
  const int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  double s = 0.0;
  for (long long i = t; i < n; i += threads) s += x[i];
  sums[t] = s;
  __syncthreads();
  // Pairwise tree that works for any thread count, not only powers of two.
  for (int step = 1; step < threads; step *= 2) {
    if (t % (2 * step) == 0 && t + step < threads) sums[t] += sums[t + step];
    __syncthreads();
  }
  if (t == 0) out[0] = (float)sums[0];
}
