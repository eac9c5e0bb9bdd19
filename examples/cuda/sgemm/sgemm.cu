// SGEMM: C = A * B in fp32, row-major A (M x K), B (K x N), C (M x N).
//
// Every optimisation is a macro that tuna sets with -D (see spec.toml for the ranges):
//   BM, BN, BK     block tile: a block computes a BM x BN tile of C, walking K in BK-deep slices
//   WM, WN         warp tile: each warp computes a WM x WN part of the block tile
//   TM, TN         thread tile: each thread accumulates TM x TN elements of C (4, 8 or 16 each)
//   VEC            width of each global load (1, 2 or 4 floats; 4 = one 16-byte load)
//   DOUBLE_BUFFER  0: load, sync, compute, sync; 1: two shared buffers, the next slice is
//                  fetched into registers while the current one is multiplied
//   PAD_A          floats added to each row of the transposed A tile (0 or 4) against the bank
//                  conflicts of its transposing stores
//   MIN_BLOCKS     blocks per SM promised to the compiler (__launch_bounds__): 2 caps the
//                  registers so that two blocks fit, at the risk of spilling
//   GROUP_M        block rasterisation: GROUP_M block-rows share each column sweep, so the
//                  blocks running at once reuse the same panels of A and B from L2
//
// Mapping of threads to data (the part a reviewer must check):
//   - THREADS = (BM/WM) * (BN/WN) * 32, one 1-D block. warp = tid / 32 sits at warp row
//     warp_m = warp / (BN/WN), warp column warp_n = warp % (BN/WN) of the block tile.
//   - Inside a warp, lanes form TY x TX = (WM/TM) x (WN/TN) = 32 (a constraint); lane
//     ty = lane / TX, tx = lane % TX. A thread's TM rows are TM/4 runs of 4 consecutive rows:
//     run j covers warp rows j*TY*4 + ty*4 + [0,4). Its TN columns likewise: run j covers warp
//     columns j*TX*4 + tx*4 + [0,4). Runs of 4 make every shared-memory read of a fragment one
//     16-byte load; lanes with equal ty (or tx) read the same address (a broadcast).
//   - Shared memory, per buffer: As[BK][BM + PAD_A] holds the A slice transposed (As[k][m] =
//     A[m][k]) so that a thread's 4 rows at one k are contiguous; Bs[BK][BN] holds the B slice
//     as it is in memory. Both start 16-byte aligned (BM + PAD_A and BN are multiples of 4).
//   - Global loads: the A slice is BM rows of BK floats; load i of thread tid takes element
//     group idx = tid + i*THREADS, row idx / (BK/VEC), columns (idx % (BK/VEC))*VEC + [0,VEC).
//     The B slice (BK rows of BN floats) is split the same way with BN in place of BK.
//     Constraints make BM*BK and BK*BN multiples of THREADS*VEC, so every thread does the same
//     number of loads and no bounds checks are needed (the tiles divide M, N and K).
//   - Barriers with DOUBLE_BUFFER=1: slice t is read from buffer t%2 while slice t+1 waits in
//     registers; after the multiply each thread stores slice t+1 into buffer (t+1)%2, whose
//     last readers (slice t-1) all passed the barrier that ended iteration t-1; the barrier at
//     the end of iteration t publishes it before anyone reads it.

#ifndef BM
#define BM 64
#endif
#ifndef BN
#define BN 64
#endif
#ifndef BK
#define BK 8
#endif
#ifndef WM
#define WM 32
#endif
#ifndef WN
#define WN 32
#endif
#ifndef TM
#define TM 4
#endif
#ifndef TN
#define TN 8
#endif
#ifndef VEC
#define VEC 4
#endif
#ifndef DOUBLE_BUFFER
#define DOUBLE_BUFFER 0
#endif
#ifndef PAD_A
#define PAD_A 0
#endif
#ifndef GROUP_M
#define GROUP_M 1
#endif
#ifndef MIN_BLOCKS
#define MIN_BLOCKS 1
#endif

#define SG_THREADS ((BM / WM) * (BN / WN) * 32)
#define SG_TX (WN / TN)
#define SG_TY (WM / TM)
#define SG_AS_LD (BM + PAD_A)
#define SG_BUFS (DOUBLE_BUFFER ? 2 : 1)
#define SG_A_LOADS ((BM * BK) / (SG_THREADS * VEC))
#define SG_B_LOADS ((BK * BN) / (SG_THREADS * VEC))

static_assert(BM % WM == 0 && BN % WN == 0, "warp tiles must divide the block tile");
static_assert(SG_TX * SG_TY == 32 && WN % TN == 0 && WM % TM == 0,
              "a warp's lanes must cover its tile exactly: (WM/TM) * (WN/TN) == 32");
static_assert(TM % 4 == 0 && TN % 4 == 0, "thread tiles are runs of 4 rows and 4 columns");
static_assert(VEC == 1 || VEC == 2 || VEC == 4, "VEC is 1, 2 or 4");
static_assert(BK % VEC == 0 && BN % VEC == 0, "a load of VEC floats must stay inside a row");
static_assert(SG_A_LOADS >= 1 && SG_A_LOADS * SG_THREADS * VEC == BM * BK,
              "the A slice must split evenly over the threads");
static_assert(SG_B_LOADS >= 1 && SG_B_LOADS * SG_THREADS * VEC == BK * BN,
              "the B slice must split evenly over the threads");
static_assert(PAD_A % 4 == 0, "PAD_A keeps rows of As 16-byte aligned");
static_assert(GROUP_M >= 1, "GROUP_M is at least 1");

namespace sgemm_detail {

// Reads VEC consecutive floats with one load (p is VEC*4-byte aligned by construction).
__device__ __forceinline__ void load_vec(const float* p, float (&r)[VEC]) {
#if VEC == 4
  const float4 t = *reinterpret_cast<const float4*>(p);
  r[0] = t.x;
  r[1] = t.y;
  r[2] = t.z;
  r[3] = t.w;
#elif VEC == 2
  const float2 t = *reinterpret_cast<const float2*>(p);
  r[0] = t.x;
  r[1] = t.y;
#else
  r[0] = *p;
#endif
}

__device__ __forceinline__ void store_vec(float* p, const float (&r)[VEC]) {
#if VEC == 4
  *reinterpret_cast<float4*>(p) = make_float4(r[0], r[1], r[2], r[3]);
#elif VEC == 2
  *reinterpret_cast<float2*>(p) = make_float2(r[0], r[1]);
#else
  *p = r[0];
#endif
}

// Block coordinates (bm, bn) of this block after GROUP_M rasterisation: consecutive block ids
// walk down a group of GROUP_M block-rows before moving one block-column right.
__device__ __forceinline__ void block_coords(int& bm, int& bn) {
  const int grid_n = gridDim.x, grid_m = gridDim.y;
  const int pid = blockIdx.y * grid_n + blockIdx.x;
  const int group_size = GROUP_M * grid_n;
  const int first_m = (pid / group_size) * GROUP_M;
  const int rows = min(grid_m - first_m, GROUP_M);
  bm = first_m + (pid % group_size) % rows;
  bn = (pid % group_size) / rows;
}

}  // namespace sgemm_detail

extern "C" __global__ void __launch_bounds__(SG_THREADS, MIN_BLOCKS)
    sgemm(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C, int M,
          int N, int K) {
  using namespace sgemm_detail;
  extern __shared__ float4 sgemm_smem[];
  float* const As = reinterpret_cast<float*>(sgemm_smem);  // [SG_BUFS][BK][SG_AS_LD]
  float* const Bs = As + SG_BUFS * BK * SG_AS_LD;          // [SG_BUFS][BK][BN]

  int bm, bn;
  block_coords(bm, bn);
  const int tid = threadIdx.x;
  const int warp = tid / 32, lane = tid % 32;
  const int warp_m = warp / (BN / WN), warp_n = warp % (BN / WN);
  const int ty = lane / SG_TX, tx = lane % SG_TX;

  const float* const A_blk = A + static_cast<long long>(bm) * BM * K;
  const float* const B_blk = B + static_cast<long long>(bn) * BN;

  float a_next[SG_A_LOADS][VEC];
  float b_next[SG_B_LOADS][VEC];
  float acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;

  // Global -> registers: the BM x BK slice of A and the BK x BN slice of B starting at k0.
  auto fetch = [&](int k0) {
#pragma unroll
    for (int i = 0; i < SG_A_LOADS; ++i) {
      const int idx = tid + i * SG_THREADS;
      const int row = idx / (BK / VEC), col = (idx % (BK / VEC)) * VEC;
      load_vec(A_blk + static_cast<long long>(row) * K + k0 + col, a_next[i]);
    }
#pragma unroll
    for (int i = 0; i < SG_B_LOADS; ++i) {
      const int idx = tid + i * SG_THREADS;
      const int row = idx / (BN / VEC), col = (idx % (BN / VEC)) * VEC;
      load_vec(B_blk + static_cast<long long>(k0 + row) * N + col, b_next[i]);
    }
  };

  // Registers -> shared buffer `buf`; A is transposed on the way.
  auto stash = [&](int buf) {
    float* const as = As + buf * (BK * SG_AS_LD);
    float* const bs = Bs + buf * (BK * BN);
#pragma unroll
    for (int i = 0; i < SG_A_LOADS; ++i) {
      const int idx = tid + i * SG_THREADS;
      const int row = idx / (BK / VEC), col = (idx % (BK / VEC)) * VEC;
#pragma unroll
      for (int v = 0; v < VEC; ++v) as[(col + v) * SG_AS_LD + row] = a_next[i][v];
    }
#pragma unroll
    for (int i = 0; i < SG_B_LOADS; ++i) {
      const int idx = tid + i * SG_THREADS;
      const int row = idx / (BN / VEC), col = (idx % (BN / VEC)) * VEC;
      store_vec(bs + row * BN + col, b_next[i]);
    }
  };

  // acc += (slice in buffer `buf`): BK rank-1 updates of the thread tile.
  auto multiply = [&](int buf) {
    const float* const as = As + buf * (BK * SG_AS_LD) + warp_m * WM + ty * 4;
    const float* const bs = Bs + buf * (BK * BN) + warp_n * WN + tx * 4;
#pragma unroll
    for (int k = 0; k < BK; ++k) {
      float a[TM], b[TN];
#pragma unroll
      for (int j = 0; j < TM / 4; ++j) {
        const float4 t = *reinterpret_cast<const float4*>(as + k * SG_AS_LD + j * SG_TY * 4);
        a[4 * j] = t.x;
        a[4 * j + 1] = t.y;
        a[4 * j + 2] = t.z;
        a[4 * j + 3] = t.w;
      }
#pragma unroll
      for (int j = 0; j < TN / 4; ++j) {
        const float4 t = *reinterpret_cast<const float4*>(bs + k * BN + j * SG_TX * 4);
        b[4 * j] = t.x;
        b[4 * j + 1] = t.y;
        b[4 * j + 2] = t.z;
        b[4 * j + 3] = t.w;
      }
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
  };

#if DOUBLE_BUFFER
  fetch(0);
  stash(0);
  __syncthreads();
  int buf = 0;
  for (int k0 = 0; k0 < K; k0 += BK) {
    const bool more = k0 + BK < K;
    if (more) fetch(k0 + BK);  // in flight while this slice is multiplied
    multiply(buf);
    if (more) stash(buf ^ 1);
    __syncthreads();
    buf ^= 1;
  }
#else
  for (int k0 = 0; k0 < K; k0 += BK) {
    fetch(k0);
    stash(0);
    __syncthreads();
    multiply(0);
    __syncthreads();
  }
#endif

  // Registers -> C, four consecutive columns per 16-byte store.
  const int row0 = bm * BM + warp_m * WM + ty * 4;
  const int col0 = bn * BN + warp_n * WN + tx * 4;
#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int row = row0 + (i / 4) * SG_TY * 4 + i % 4;
#pragma unroll
    for (int j = 0; j < TN / 4; ++j) {
      float4* dst = reinterpret_cast<float4*>(C + static_cast<long long>(row) * N + col0 +
                                              j * SG_TX * 4);
      *dst = make_float4(acc[i][4 * j], acc[i][4 * j + 1], acc[i][4 * j + 2], acc[i][4 * j + 3]);
    }
  }
}

// The reference for correctness: one thread per element of C at a time, a sum in double in
// k order. tuna launches it with the default configuration's grid and block, so it walks all
// of C with a grid-stride loop and is right under any launch geometry.
extern "C" __global__ void sgemm_reference(const float* __restrict__ A, const float* __restrict__ B,
                                           float* __restrict__ C, int M, int N, int K) {
  const long long threads_per_block =
      static_cast<long long>(blockDim.x) * blockDim.y * blockDim.z;
  const long long block =
      (static_cast<long long>(blockIdx.z) * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
  const long long thread = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  const long long stride =
      threads_per_block * gridDim.x * static_cast<long long>(gridDim.y) * gridDim.z;
  const long long total = static_cast<long long>(M) * N;
  for (long long e = block * threads_per_block + thread; e < total; e += stride) {
    const long long i = e / N, j = e % N;
    double sum = 0.0;
    for (int k = 0; k < K; ++k)
      sum += static_cast<double>(A[i * K + k]) * static_cast<double>(B[k * N + j]);
    C[e] = static_cast<float>(sum);
  }
}
