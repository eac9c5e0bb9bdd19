// out = transpose(in) for a row-major fp32 matrix: in is R x C, out is C x R, out[c][r] = in[r][c].
//
// A naive transpose reads rows and writes columns, so one of the two sides is uncoalesced. The
// tiled version stages a TILE_R x TILE_C tile in shared memory: rows of `in` are read with
// coalesced (optionally vector) loads, and rows of `out` (columns of the tile) are written with
// coalesced (optionally vector) stores. What remains to tune is the tile shape, how many
// elements each thread moves, the vector widths on both sides and the shared-memory layout,
// whose column reads conflict on the 32 banks unless each row is padded by one float.
//
// Thread-to-data mapping (block = THREADS threads, 1-D; grid = (C / TILE_C, R / TILE_R)):
//   the block's tile is in[r0 : r0 + TILE_R][c0 : c0 + TILE_C], r0 = blockIdx.y * TILE_R,
//   c0 = blockIdx.x * TILE_C.
//   Load phase: a row of the tile is TILE_C / VEC_LOAD vectors; thread t loads vector
//   (t % (TILE_C / VEC_LOAD)) of tile rows t / (TILE_C / VEC_LOAD) + k * LOAD_ROW_STEP,
//   k = 0 .. TILE_R / LOAD_ROW_STEP - 1, and writes its floats to tile[row][col .. col+VEC_LOAD-1].
//   Store phase: a row of the output tile (= a column of the input tile) is TILE_R / VEC_STORE
//   vectors; thread t stores vector (t % (TILE_R / VEC_STORE)) of output rows
//   t / (TILE_R / VEC_STORE) + k * STORE_ROW_STEP, reading tile[r .. r+VEC_STORE-1][c].
//   spec.toml's constraints make every step an exact divisor, so every element of the tile is
//   loaded once and stored once, and the grid covers the matrix exactly (R % TILE_R == 0,
//   C % TILE_C == 0): no bounds checks are needed.
//   One barrier separates the phases; no shared memory is reused after it.

#ifndef TILE_R
#define TILE_R 32
#endif
#ifndef TILE_C
#define TILE_C 32
#endif
#ifndef THREADS
#define THREADS 256
#endif
#ifndef VEC_LOAD
#define VEC_LOAD 1
#endif
#ifndef VEC_STORE
#define VEC_STORE 1
#endif
#ifndef PAD
#define PAD 0
#endif

#define LOAD_VECS_PER_ROW (TILE_C / VEC_LOAD)
#define LOAD_ROW_STEP (THREADS / LOAD_VECS_PER_ROW)
#define STORE_VECS_PER_ROW (TILE_R / VEC_STORE)
#define STORE_ROW_STEP (THREADS / STORE_VECS_PER_ROW)
#define TILE_STRIDE (TILE_C + PAD)

static_assert(TILE_C % VEC_LOAD == 0 && TILE_R % VEC_STORE == 0, "whole vectors per tile row");
static_assert(THREADS % LOAD_VECS_PER_ROW == 0 && TILE_R % LOAD_ROW_STEP == 0,
              "the load phase must cover the tile exactly");
static_assert(THREADS % STORE_VECS_PER_ROW == 0 && TILE_C % STORE_ROW_STEP == 0,
              "the store phase must cover the tile exactly");

template <int V> struct Vec;
template <> struct Vec<1> { typedef float T; };
template <> struct Vec<2> { typedef float2 T; };
template <> struct Vec<4> { typedef float4 T; };

// Vector lanes by compile-time index (a union or a cast would force the value into memory).
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

extern "C" __global__ void __launch_bounds__(THREADS)
transpose(const float* __restrict__ in, float* __restrict__ out, int R, int C) {
  typedef Vec<VEC_LOAD>::T LoadT;
  typedef Vec<VEC_STORE>::T StoreT;
  extern __shared__ float tile[];  // TILE_R rows of TILE_STRIDE floats

  const int t = threadIdx.x;
  const long long r0 = (long long)blockIdx.y * TILE_R;
  const long long c0 = (long long)blockIdx.x * TILE_C;

  // Load phase: all loads are issued before any shared-memory store (unrolled), so
  // TILE_R / LOAD_ROW_STEP requests are in flight per thread.
  {
    const int col = (t % LOAD_VECS_PER_ROW) * VEC_LOAD;
    const int row = t / LOAD_VECS_PER_ROW;
    LoadT v[TILE_R / LOAD_ROW_STEP];
#pragma unroll
    for (int k = 0; k < TILE_R / LOAD_ROW_STEP; ++k) {
      const float* src = in + (r0 + row + k * LOAD_ROW_STEP) * C + c0 + col;
      v[k] = *reinterpret_cast<const LoadT*>(src);
    }
#pragma unroll
    for (int k = 0; k < TILE_R / LOAD_ROW_STEP; ++k)
#pragma unroll
      for (int i = 0; i < VEC_LOAD; ++i)
        tile[(row + k * LOAD_ROW_STEP) * TILE_STRIDE + col + i] = lane(v[k], i);
  }
  __syncthreads();

  // Store phase: output row c0 + orow holds input column c0 + orow, rows r0 + ocol ...
  {
    const int ocol = (t % STORE_VECS_PER_ROW) * VEC_STORE;
    const int orow = t / STORE_VECS_PER_ROW;
#pragma unroll
    for (int k = 0; k < TILE_C / STORE_ROW_STEP; ++k) {
      const int c = orow + k * STORE_ROW_STEP;  // column of the input tile
      StoreT v;
#pragma unroll
      for (int i = 0; i < VEC_STORE; ++i) set_lane(v, i, tile[(ocol + i) * TILE_STRIDE + c]);
      float* dst = out + (c0 + c) * R + r0 + ocol;
      *reinterpret_cast<StoreT*>(dst) = v;
    }
  }
}

// The reference: one element per step of a grid-stride loop over the flattened input, correct
// for any launch geometry (tuna launches it with the default configuration's grid and block).
extern "C" __global__ void transpose_reference(const float* in, float* out, int R, int C) {
  const long long threads_per_block = (long long)blockDim.x * blockDim.y * blockDim.z;
  const long long block =
      blockIdx.x + (long long)gridDim.x * (blockIdx.y + (long long)gridDim.y * blockIdx.z);
  const long long thread = threadIdx.x + blockDim.x * (threadIdx.y + (long long)blockDim.y * threadIdx.z);
  const long long stride = threads_per_block * gridDim.x * gridDim.y * gridDim.z;
  const long long n = (long long)R * C;
  for (long long e = block * threads_per_block + thread; e < n; e += stride) {
    const long long r = e / C, c = e % C;
    out[c * R + r] = in[e];
  }
}
