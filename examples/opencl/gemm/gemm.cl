// fp32 GEMM with the tuning parameters of CLBlast's Xgemm (same names, same meaning), written
// for tuna: C = alpha * A * B + beta * C, in the layout CLBlast's inner kernel works on, where
// the M and N indices are the contiguous ones:
//   A[m + k * M]   (K x M, m contiguous)
//   B[n + k * N]   (K x N, n contiguous)
//   C[m + n * M]   (N x M, m contiguous: C is column-major M x N)
//
// Work decomposition (launch: local = MDIMC x NDIMC, global = (M / MWG) * MDIMC x (N / NWG) * NDIMC):
//   A work-group computes an MWG x NWG tile of C, walking K in KWG-deep slices. Its MDIMC x NDIMC
//   work-items each own MWI = MWG / MDIMC rows (m) and NWI = NWG / NDIMC columns (n) of the tile,
//   held in registers as MWI / VWM vectors of VWM floats (float, float2, ... float8) per column.
//   STRM = 0: a work-item's vectors along m are adjacent (vector tid_m * MWI/VWM + i);
//   STRM = 1: they are MDIMC vectors apart (vector tid_m + i * MDIMC), so neighbouring
//             work-items touch neighbouring vectors. STRN likewise along n with NDIMC and VWN.
//   SA = 1: each KWG x MWG slice of A is first copied to local memory by the whole work-group,
//           re-shaped as MDIMA x (MDIMC * NDIMC / MDIMA) loaders (MDIMA along m, vectors of VWM);
//   SA = 0: each work-item reads its A values straight from global memory.
//   SB, NDIMB: the same for B along n (vectors of VWN).
//   The k loop over a slice is unrolled by KWI.
// Needs (spec.toml's constraints): M % MWG == 0, N % NWG == 0, K % KWG == 0 and the seven
// divisibility restrictions of the CLBlast space, which make every split above exact.

#ifndef MWG
#define MWG 64
#endif
#ifndef NWG
#define NWG 64
#endif
#ifndef KWG
#define KWG 32
#endif
#ifndef MDIMC
#define MDIMC 32
#endif
#ifndef NDIMC
#define NDIMC 32
#endif
#ifndef MDIMA
#define MDIMA 32
#endif
#ifndef NDIMB
#define NDIMB 32
#endif
#ifndef KWI
#define KWI 2
#endif
#ifndef VWM
#define VWM 2
#endif
#ifndef VWN
#define VWN 2
#endif
#ifndef STRM
#define STRM 1
#endif
#ifndef STRN
#define STRN 1
#endif
#ifndef SA
#define SA 1
#endif
#ifndef SB
#define SB 1
#endif
#ifndef PRECISION
#define PRECISION 32
#endif

#if PRECISION != 32
#error "this example implements PRECISION = 32 (fp32) only"
#endif

#define MWI (MWG / MDIMC)          // rows of C per work-item
#define NWI (NWG / NDIMC)          // columns of C per work-item
#define MVI (MWI / VWM)            // vectors per work-item column
#define NVI (NWI / VWN)            // vectors per work-item row
#define THREADS (MDIMC * NDIMC)
#define KDIMA (THREADS / MDIMA)    // loaders of A along k
#define KDIMB (THREADS / NDIMB)    // loaders of B along k
#define MVA (MWG / (MDIMA * VWM))  // vectors of A each loader copies along m
#define NVB (NWG / (NDIMB * VWN))  // vectors of B each loader copies along n
#define KWA (KWG / KDIMA)          // rows of A each loader copies along k
#define KWB (KWG / KDIMB)

#if VWM == 1
typedef float realM;
#elif VWM == 2
typedef float2 realM;
#elif VWM == 4
typedef float4 realM;
#elif VWM == 8
typedef float8 realM;
#else
#error "VWM must be 1, 2, 4 or 8"
#endif

#if VWN == 1
typedef float realN;
#define STORE_N(v, p) (*(p) = (v))
#elif VWN == 2
typedef float2 realN;
#define STORE_N(v, p) vstore2((v), 0, (p))
#elif VWN == 4
typedef float4 realN;
#define STORE_N(v, p) vstore4((v), 0, (p))
#elif VWN == 8
typedef float8 realN;
#define STORE_N(v, p) vstore8((v), 0, (p))
#else
#error "VWN must be 1, 2, 4 or 8"
#endif

// Which vector (counted from the tile's start) holds a work-item's i-th register vector.
inline int vector_m(int tid_m, int i) {
#if STRM == 0
  return tid_m * MVI + i;
#else
  return tid_m + i * MDIMC;
#endif
}

inline int vector_n(int tid_n, int i) {
#if STRN == 0
  return tid_n * NVI + i;
#else
  return tid_n + i * NDIMC;
#endif
}

// Copies the KWG x MWG slice of A at (k0, tile_m) to local memory; every work-item takes
// KWA x MVA vectors.
inline void load_a_slice(__global const realM* a, __local realM* a_local, int M, int k0,
                         int tile_m, int tid) {
  const int la_m = tid % MDIMA;
  const int la_k = tid / MDIMA;
  const int vectors_per_row = M / VWM;
  for (int kk = 0; kk < KWA; ++kk) {
    const int k = kk * KDIMA + la_k;
    for (int i = 0; i < MVA; ++i) {
#if STRM == 0
      const int v = la_m * MVA + i;
#else
      const int v = la_m + i * MDIMA;
#endif
      a_local[k * (MWG / VWM) + v] = a[(k0 + k) * vectors_per_row + tile_m / VWM + v];
    }
  }
}

inline void load_b_slice(__global const realN* b, __local realN* b_local, int N, int k0,
                         int tile_n, int tid) {
  const int lb_n = tid % NDIMB;
  const int lb_k = tid / NDIMB;
  const int vectors_per_row = N / VWN;
  for (int kk = 0; kk < KWB; ++kk) {
    const int k = kk * KDIMB + lb_k;
    for (int i = 0; i < NVB; ++i) {
#if STRN == 0
      const int v = lb_n * NVB + i;
#else
      const int v = lb_n + i * NDIMB;
#endif
      b_local[k * (NWG / VWN) + v] = b[(k0 + k) * vectors_per_row + tile_n / VWN + v];
    }
  }
}

__kernel __attribute__((reqd_work_group_size(MDIMC, NDIMC, 1)))
void gemm(const int M, const int N, const int K, const float alpha, const float beta,
          __global const realM* restrict a, __global const realN* restrict b,
          __global realM* c) {
  const int tid_m = get_local_id(0);
  const int tid_n = get_local_id(1);
  const int tid = tid_n * MDIMC + tid_m;
  const int tile_m = get_group_id(0) * MWG;
  const int tile_n = get_group_id(1) * NWG;

#if SA == 1
  __local realM a_local[KWG * (MWG / VWM)];
#endif
#if SB == 1
  __local realN b_local[KWG * (NWG / VWN)];
#endif

  realM acc[NWI][MVI];
  for (int j = 0; j < NWI; ++j)
    for (int i = 0; i < MVI; ++i) acc[j][i] = (realM)(0.0f);

  for (int k0 = 0; k0 < K; k0 += KWG) {
#if SA == 1
    load_a_slice(a, a_local, M, k0, tile_m, tid);
#endif
#if SB == 1
    load_b_slice(b, b_local, N, k0, tile_n, tid);
#endif
#if SA == 1 || SB == 1
    barrier(CLK_LOCAL_MEM_FENCE);
#endif
    for (int kw = 0; kw < KWG; kw += KWI) {
#pragma unroll
      for (int ku = 0; ku < KWI; ++ku) {
        const int k = kw + ku;
        realM a_reg[MVI];
        for (int i = 0; i < MVI; ++i) {
#if SA == 1
          a_reg[i] = a_local[k * (MWG / VWM) + vector_m(tid_m, i)];
#else
          a_reg[i] = a[(k0 + k) * (M / VWM) + tile_m / VWM + vector_m(tid_m, i)];
#endif
        }
        // B's values as scalars: each one scales a whole column of A vectors.
        float b_reg[NWI];
        for (int j = 0; j < NVI; ++j) {
#if SB == 1
          const realN v = b_local[k * (NWG / VWN) + vector_n(tid_n, j)];
#else
          const realN v = b[(k0 + k) * (N / VWN) + tile_n / VWN + vector_n(tid_n, j)];
#endif
          STORE_N(v, &b_reg[j * VWN]);
        }
        for (int j = 0; j < NWI; ++j)
          for (int i = 0; i < MVI; ++i) acc[j][i] = fma(a_reg[i], (realM)(b_reg[j]), acc[j][i]);
      }
    }
#if SA == 1 || SB == 1
    barrier(CLK_LOCAL_MEM_FENCE);
#endif
  }

  // Column j of the work-item's registers is element (j % VWN) of its (j / VWN)-th n vector.
  for (int j = 0; j < NWI; ++j) {
    const int n = tile_n + vector_n(tid_n, j / VWN) * VWN + j % VWN;
    for (int i = 0; i < MVI; ++i) {
      const int idx = n * (M / VWM) + tile_m / VWM + vector_m(tid_m, i);
      c[idx] = alpha * acc[j][i] + beta * c[idx];
    }
  }
}

// The reference: one dot product per element of C in a fixed order, summed in fp32 with a
// compensation term, over a 2-D grid-stride loop so any launch geometry covers all of C.
__kernel void gemm_reference(const int M, const int N, const int K, const float alpha,
                             const float beta, __global const float* restrict a,
                             __global const float* restrict b, __global float* c) {
  for (int n = get_global_id(1); n < N; n += get_global_size(1)) {
    for (int m = get_global_id(0); m < M; m += get_global_size(0)) {
      float sum = 0.0f, comp = 0.0f;
      for (int k = 0; k < K; ++k) {
        const float term = a[m + k * M] * b[n + k * N] - comp;
        const float next = sum + term;
        comp = (next - sum) - term;
        sum = next;
      }
      c[m + n * M] = alpha * sum + beta * c[m + n * M];
    }
  }
}
