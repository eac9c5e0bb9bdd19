// HGEMM on tensor cores: C = A * B^T with fp16 inputs, fp32 accumulation and fp32 output.
//   A: M x K fp16, row-major (K contiguous)
//   B: N x K fp16, row-major (K contiguous) -- i.e. the K x N matrix of "C = A * B" stored
//      column-major, the layout cuBLAS calls op(B) = B^T ("TN" GEMM). Both operands then have K
//      contiguous, which is what the .row.col form of mma.sync wants and what lets ldmatrix
//      (without .trans) load both fragments.
//   C: M x N fp32, row-major.
//
// Tuned with -D macros (see spec.toml):
//   BM, BN, BK  block tile (BK in {16, 32, 64}); WM, WN warp tile (multiples of 16);
//   STAGES      depth of the cp.async pipeline (2..5 shared-memory stages);
//   SWIZZLE     0: rows padded by 8 halves (16 bytes); 1: XOR-swizzled 16-byte chunks, no padding;
//   GROUP_M     block rasterisation for L2 reuse (1 = row by row).
//
// Mapping of threads to data:
//   - THREADS = (BM/WM) * (BN/WN) * 32. warp = tid / 32 owns rows warp_m*WM.. of the block
//     tile and columns warp_n*WN.., with warp_m = warp / (BN/WN), warp_n = warp % (BN/WN).
//     A warp's tile is MI x NI mma tiles of 16 x 8 (MI = WM/16, NI = WN/8).
//   - Shared memory, per stage: the A tile (BM rows of BK halves) then the B tile (BN rows of BK
//     halves). A row is CPR = BK/8 chunks of 16 bytes. tile_offset() places chunk c of row r:
//     padded, at r*(BK+8) + 8c halves; swizzled, at r*BK + 8*(c ^ s(r)) with
//     s(r) = (r / (8/CPR)) % CPR. Either way the 8 rows that one ldmatrix phase reads (8
//     consecutive rows, same chunk) hit 8 different 16-byte bank groups: no conflicts.
//   - Loading a stage: 16-byte chunk idx = tid + i*THREADS of the A tile is row idx / CPR,
//     chunk idx % CPR (consecutive threads read consecutive 16 bytes of a row of A: coalesced),
//     copied with cp.async.cg; B the same. Constraints make BM*CPR and BN*CPR multiples of
//     THREADS.
//   - Fragments (PTX ISA, mma.m16n8k16, g = lane/4, t = lane%4):
//       A regs: a0 = A[g][2t..2t+1], a1 = A[g+8][2t..], a2 = A[g][2t+8..], a3 = A[g+8][2t+8..]
//       B regs: b0 = B^T[2t..2t+1][g] = Bs[n=g][k=2t..], b1 = Bs[n=g][k=2t+8..]
//       C regs: c0,c1 = C[g][2t..2t+1], c2,c3 = C[g+8][2t..2t+1]
//     ldmatrix.x4 gives register j of every lane the row lane/4, halves 2*(lane%4).. of 8x8
//     matrix j, whose 8 row addresses come from lanes 8j..8j+7. For A, lane l points at row
//     (l % 16), k-chunk (l / 16) of the 16 x 16 tile: matrices = (rows 0-7, k 0-7),
//     (rows 8-15, k 0-7), (rows 0-7, k 8-15), (rows 8-15, k 8-15) = a0..a3. For B, lane l points
//     at n-row 8*(l / 16) + l % 8, k-chunk (l / 8) % 2: matrices = (n 0-7, k 0-7),
//     (n 0-7, k 8-15), (n 8-15, k 0-7), (n 8-15, k 8-15) = b0, b1 of n-tile 0, b0, b1 of n-tile 1.
//   - Pipeline: tiles 0..STAGES-2 are requested up front, one cp.async group each. Iteration
//     kt waits until at most STAGES-2 groups are pending (so tile kt, group kt, has landed for
//     this thread), then __syncthreads: every thread's part of tile kt is visible, and every
//     warp has finished multiplying tile kt-1. Only then is tile kt+STAGES-1 requested, into the
//     stage tile kt-1 occupied. One group is committed every iteration, empty at the end, so
//     the count stays exact.

#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
#endif
#ifndef BK
#define BK 32
#endif
#ifndef WM
#define WM 64
#endif
#ifndef WN
#define WN 64
#endif
#ifndef STAGES
#define STAGES 2
#endif
#ifndef SWIZZLE
#define SWIZZLE 0
#endif
#ifndef GROUP_M
#define GROUP_M 1
#endif

#define HG_THREADS ((BM / WM) * (BN / WN) * 32)
#define HG_MI (WM / 16)
#define HG_NI (WN / 8)
#define HG_CPR (BK / 8)
#define HG_LD (SWIZZLE ? BK : BK + 8)          // row stride of a tile, in halves
#define HG_STAGE_HALVES ((BM + BN) * HG_LD)
#define HG_A_COPIES ((BM * HG_CPR) / HG_THREADS)  // 16-byte copies per thread per stage
#define HG_B_COPIES ((BN * HG_CPR) / HG_THREADS)

static_assert(BK == 16 || BK == 32 || BK == 64, "BK is 16, 32 or 64");
static_assert(WM % 16 == 0 && WN % 16 == 0, "warp tiles are whole 16 x 16 ldmatrix tiles");
static_assert(BM % WM == 0 && BN % WN == 0, "warp tiles must divide the block tile");
static_assert(STAGES >= 2, "the pipeline needs at least two stages");
static_assert(HG_A_COPIES >= 1 && HG_A_COPIES * HG_THREADS == BM * HG_CPR,
              "the A tile must split evenly over the threads");
static_assert(HG_B_COPIES >= 1 && HG_B_COPIES * HG_THREADS == BN * HG_CPR,
              "the B tile must split evenly over the threads");

namespace hgemm_detail {

// Offset in halves of 16-byte chunk `chunk` of row `row` in a tile. `row % 8` decides the
// swizzle, and every caller's row is (multiple of 8) + sub-row.
__device__ __forceinline__ int tile_offset(int row, int chunk) {
#if SWIZZLE
  return row * BK + ((chunk ^ ((row / (8 / HG_CPR)) % HG_CPR)) << 3);
#else
  return row * (BK + 8) + (chunk << 3);
#endif
}

__device__ __forceinline__ unsigned shared_address(const void* p) {
  unsigned a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
  return a;
}

__device__ __forceinline__ void copy16(unsigned dst, const void* src) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst), "l"(src) : "memory");
}

__device__ __forceinline__ void commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

template <int N>
__device__ __forceinline__ void wait_pending() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], unsigned addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

__device__ __forceinline__ void mma(float (&c)[4], const unsigned (&a)[4], unsigned b0,
                                    unsigned b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
      "{%8, %9}, {%0, %1, %2, %3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Same rasterisation as the SGEMM example: GROUP_M block-rows per column sweep.
__device__ __forceinline__ void block_coords(int& bm, int& bn) {
  const int grid_n = gridDim.x, grid_m = gridDim.y;
  const int pid = blockIdx.y * grid_n + blockIdx.x;
  const int group_size = GROUP_M * grid_n;
  const int first_m = (pid / group_size) * GROUP_M;
  const int rows = min(grid_m - first_m, GROUP_M);
  bm = first_m + (pid % group_size) % rows;
  bn = (pid % group_size) / rows;
}

__device__ __forceinline__ float half_to_float(unsigned short h) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}

}  // namespace hgemm_detail

extern "C" __global__ void __launch_bounds__(HG_THREADS)
    hgemm(const unsigned short* __restrict__ A, const unsigned short* __restrict__ B,
          float* __restrict__ C, int M, int N, int K) {
  using namespace hgemm_detail;
  extern __shared__ __align__(128) unsigned short hgemm_smem[];
  const unsigned smem = shared_address(hgemm_smem);

  int bm, bn;
  block_coords(bm, bn);
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int warp_m = warp / (BN / WN), warp_n = warp % (BN / WN);
  const unsigned short* const A_blk = A + static_cast<long long>(bm) * BM * K;
  const unsigned short* const B_blk = B + static_cast<long long>(bn) * BN * K;
  const int k_tiles = K / BK;

  // Requests tile kt of A and B into shared stage `stage` (one cp.async per 16 bytes).
  auto request = [&](int kt, int stage) {
    const unsigned a_dst = smem + 2u * stage * HG_STAGE_HALVES;
    const unsigned b_dst = a_dst + 2u * BM * HG_LD;
    const int k0 = kt * BK;
#pragma unroll
    for (int i = 0; i < HG_A_COPIES; ++i) {
      const int idx = tid + i * HG_THREADS, row = idx / HG_CPR, chunk = idx % HG_CPR;
      copy16(a_dst + 2u * tile_offset(row, chunk), A_blk + static_cast<long long>(row) * K + k0 + chunk * 8);
    }
#pragma unroll
    for (int i = 0; i < HG_B_COPIES; ++i) {
      const int idx = tid + i * HG_THREADS, row = idx / HG_CPR, chunk = idx % HG_CPR;
      copy16(b_dst + 2u * tile_offset(row, chunk), B_blk + static_cast<long long>(row) * K + k0 + chunk * 8);
    }
  };

  float acc[HG_MI][HG_NI][4];
#pragma unroll
  for (int i = 0; i < HG_MI; ++i)
#pragma unroll
    for (int j = 0; j < HG_NI; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[i][j][r] = 0.0f;

  // Rows and k-chunks each lane hands to ldmatrix (see the fragment notes at the top).
  const int a_row = warp_m * WM + (lane & 15), a_chunk = lane >> 4;
  const int b_row = warp_n * WN + ((lane >> 4) << 3) + (lane & 7), b_chunk = (lane >> 3) & 1;

#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < k_tiles) request(s, s);
    commit();
  }

  for (int kt = 0; kt < k_tiles; ++kt) {
    wait_pending<STAGES - 2>();
    __syncthreads();
    const int next = kt + STAGES - 1;
    if (next < k_tiles) request(next, next % STAGES);
    commit();

    const int stage = kt % STAGES;
    const unsigned a_tile = smem + 2u * stage * HG_STAGE_HALVES;
    const unsigned b_tile = a_tile + 2u * BM * HG_LD;
#pragma unroll
    for (int kk = 0; kk < BK / 16; ++kk) {
      unsigned af[HG_MI][4];
      unsigned bf[HG_NI / 2][4];
#pragma unroll
      for (int i = 0; i < HG_MI; ++i)
        ldmatrix_x4(af[i], a_tile + 2u * tile_offset(a_row + i * 16, 2 * kk + a_chunk));
#pragma unroll
      for (int j = 0; j < HG_NI / 2; ++j)
        ldmatrix_x4(bf[j], b_tile + 2u * tile_offset(b_row + j * 16, 2 * kk + b_chunk));
#pragma unroll
      for (int i = 0; i < HG_MI; ++i)
#pragma unroll
        for (int j = 0; j < HG_NI; ++j)
          mma(acc[i][j], af[i], bf[j / 2][2 * (j % 2)], bf[j / 2][2 * (j % 2) + 1]);
    }
  }
  wait_pending<0>();  // only empty groups can remain; leave none behind at exit

  // Registers -> C: lane (g, t) of n-tile j holds columns 2t, 2t+1 of rows g and g+8.
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int i = 0; i < HG_MI; ++i) {
    const int row = bm * BM + warp_m * WM + i * 16 + g;
#pragma unroll
    for (int j = 0; j < HG_NI; ++j) {
      const int col = bn * BN + warp_n * WN + j * 8 + 2 * t;
      float* const c0 = C + static_cast<long long>(row) * N + col;
      float* const c1 = c0 + 8LL * N;
      *reinterpret_cast<float2*>(c0) = make_float2(acc[i][j][0], acc[i][j][1]);
      *reinterpret_cast<float2*>(c1) = make_float2(acc[i][j][2], acc[i][j][3]);
    }
  }
}

// The reference for correctness: C[i][j] = sum_k A[i][k] * B[j][k], summed in double in k
// order. tuna launches it with the default configuration's grid and block, so it walks all of
// C with a grid-stride loop and is right under any launch geometry.
extern "C" __global__ void hgemm_reference(const unsigned short* __restrict__ A,
                                           const unsigned short* __restrict__ B,
                                           float* __restrict__ C, int M, int N, int K) {
  using hgemm_detail::half_to_float;
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
      sum += static_cast<double>(half_to_float(A[i * K + k])) *
             static_cast<double>(half_to_float(B[j * K + k]));
    C[e] = static_cast<float>(sum);
  }
}
