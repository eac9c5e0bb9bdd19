// out[r] = sum of row r of A, for a row-major fp32 matrix A of R rows and C columns.
//
// A reduction is limited by the latency of floating-point addition, not by its throughput: a
// single running sum waits ~4 cycles for each add to finish. The parameters break that chain
// in three ways (wider vectors, more accumulators per row, several rows at once) and spread
// the rows over threads. Every choice changes the order of the additions, so the results differ
// from the naive default by rounding; spec.toml's tolerance accounts for that.
#include <cstring>
#include <thread>

// tuna always defines these; the fallbacks let the file compile on its own for experiments.
#ifndef VEC
#define VEC 1
#endif
#ifndef ACC
#define ACC 1
#endif
#ifndef ROWS
#define ROWS 1
#endif
#ifndef THREADS
#define THREADS 1
#endif

namespace {

// VEC floats added as one value: one SIMD register when VEC matches the vector width, several
// when wider (GCC and Clang vector extension). One lane is a plain float: GCC keeps a one-lane
// vector in memory, which would make the scalar version slower than it really is.
#if VEC == 1
typedef float Lanes;
#else
typedef float Lanes __attribute__((vector_size(VEC * sizeof(float))));
#endif

// Sums rows r0 .. r0 + ROWS - 1 with ROWS * ACC independent accumulators of VEC lanes each.
void sum_rows(const float* A, int C, int r0, float* out) {
  Lanes acc[ROWS][ACC] = {};
  for (int c = 0; c < C; c += VEC * ACC) {
#pragma GCC unroll 4
    for (int r = 0; r < ROWS; ++r) {
      const float* row = A + static_cast<long>(r0 + r) * C + c;
#pragma GCC unroll 8
      for (int a = 0; a < ACC; ++a) {
        Lanes x;
        std::memcpy(&x, row + a * VEC, sizeof x);  // an unaligned vector load
        acc[r][a] += x;
      }
    }
  }
  for (int r = 0; r < ROWS; ++r) {
    Lanes total = acc[r][0];
    for (int a = 1; a < ACC; ++a) total += acc[r][a];
#if VEC == 1
    out[r0 + r] = total;
#else
    float sum = 0;
    for (int v = 0; v < VEC; ++v) sum += total[v];
    out[r0 + r] = sum;
#endif
  }
}

void sum_row_range(const float* A, float* out, int C, int r_begin, int r_end) {
  for (int r = r_begin; r < r_end; r += ROWS) sum_rows(A, C, r, out);
}

}  // namespace

void rowsum(const float* A, float* out, int R, int C) {
#if THREADS == 1
  sum_row_range(A, out, C, 0, R);
#else
  // Threads are started per call, as a library without a pool would: their start-up cost is
  // part of what the tuner weighs against the speed-up.
  const int rows_per_thread = R / THREADS;
  std::thread helpers[THREADS - 1];
  for (int t = 1; t < THREADS; ++t)
    helpers[t - 1] = std::thread(sum_row_range, A, out, C, t * rows_per_thread,
                                 (t + 1) * rows_per_thread);
  sum_row_range(A, out, C, 0, rows_per_thread);
  for (auto& helper : helpers) helper.join();
#endif
}
