// C = A * B for row-major fp32 matrices (A is M x K, B is K x N, C is M x N).
//
// One source, many kernels: each macro below is a tuning parameter that tuna sets with -D.
// The default configuration (see spec.toml) is deliberately naive: small blocks, one row of C
// at a time, B read in place. The others add what a fast CPU GEMM needs: cache blocking, a register tile of
// UNROLL rows by VEC columns that the compiler turns into SIMD registers, a packed copy of
// the B panel, and a loop order that reuses that panel across every block of rows.
#include <cstdint>
#include <cstring>
#include <vector>

// tuna always defines these; the fallbacks let the file compile on its own for experiments.
#ifndef BM
#define BM 16
#endif
#ifndef BN
#define BN 32
#endif
#ifndef BK
#define BK 64
#endif
#ifndef UNROLL
#define UNROLL 1
#endif
#ifndef VEC
#define VEC 8
#endif
#ifndef LOOP_ORDER
#define LOOP_ORDER 0
#endif
#ifndef PACK_B
#define PACK_B 0
#endif

static_assert(BM % UNROLL == 0, "a block of rows must hold whole register tiles");
static_assert(BN % VEC == 0, "a block of columns must hold whole register tiles");
static_assert(LOOP_ORDER == 0 || LOOP_ORDER == 1, "LOOP_ORDER is 0 or 1");

namespace {

// VEC floats handled as one value. GCC and Clang map it onto as many SIMD registers as it needs
// (VEC = 16 is one AVX-512 register, two AVX2 registers, four SSE or NEON registers).
typedef float Lanes __attribute__((vector_size(VEC * sizeof(float))));

// c[0:UNROLL][0:VEC] += a[0:UNROLL][0:BK] * b[0:BK][0:VEC], with leading dimensions lda, ldb,
// ldc. The UNROLL accumulators stay in registers for the whole k loop: each vector of b that is
// loaded feeds UNROLL multiply-adds, and UNROLL independent chains hide the latency of each.
// (memcpy is how C++ spells an unaligned vector load or store.)
inline void register_tile(const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  Lanes acc[UNROLL];
  for (int u = 0; u < UNROLL; ++u) std::memcpy(&acc[u], c + u * ldc, sizeof(Lanes));
  for (int k = 0; k < BK; ++k) {
    Lanes b_k;
    std::memcpy(&b_k, b + k * ldb, sizeof(Lanes));
#pragma GCC unroll 16
    for (int u = 0; u < UNROLL; ++u) acc[u] += a[u * lda + k] * b_k;
  }
  for (int u = 0; u < UNROLL; ++u) std::memcpy(c + u * ldc, &acc[u], sizeof(Lanes));
}

// Copies B[k0:k0+BK][j0:j0+BN] into a contiguous BK x BN panel: the register tiles then read
// B with unit stride from a few pages instead of BK rows scattered N floats apart.
inline void pack_panel(const float* B, int N, int k0, int j0, float* panel) {
  for (int k = 0; k < BK; ++k) std::memcpy(panel + k * BN, B + (k0 + k) * N + j0, BN * sizeof(float));
}

// C[i0:i0+BM][j0:j0+BN] += A[i0:i0+BM][k0:k0+BK] * B[k0:k0+BK][j0:j0+BN], where `b` points at
// B[k0][j0] (or at the packed panel) with row stride ldb.
inline void block(const float* A, const float* b, int ldb, float* C, int N, int K, int i0, int j0,
                  int k0) {
  for (int i = i0; i < i0 + BM; i += UNROLL)
    for (int j = 0; j < BN; j += VEC)
      register_tile(A + i * K + k0, K, b + j, ldb, C + i * N + j0 + j, N);
}

}  // namespace

void matmul(const float* A, const float* B, float* C, int M, int N, int K) {
  std::memset(C, 0, sizeof(float) * static_cast<std::size_t>(M) * N);
#if PACK_B
  std::vector<float> panel(static_cast<std::size_t>(BK) * BN);
  const int ldb = BN;
#define B_BLOCK(k0, j0) (pack_panel(B, N, k0, j0, panel.data()), panel.data())
#else
  const int ldb = N;
#define B_BLOCK(k0, j0) (B + (k0) * N + (j0))
#endif

#if LOOP_ORDER == 0
  // Row blocks outermost: simple, but the B panel of (k0, j0) is fetched (and packed) again for
  // every block of rows.
  for (int i0 = 0; i0 < M; i0 += BM)
    for (int j0 = 0; j0 < N; j0 += BN)
      for (int k0 = 0; k0 < K; k0 += BK) {
        const float* b = B_BLOCK(k0, j0);
        block(A, b, ldb, C, N, K, i0, j0, k0);
      }
#else
  // Column panels outermost: each B panel is fetched (and packed) once and reused by all M/BM
  // blocks of rows while it sits in cache.
  for (int j0 = 0; j0 < N; j0 += BN)
    for (int k0 = 0; k0 < K; k0 += BK) {
      const float* b = B_BLOCK(k0, j0);
      for (int i0 = 0; i0 < M; i0 += BM) block(A, b, ldb, C, N, K, i0, j0, k0);
    }
#endif
#undef B_BLOCK
}
