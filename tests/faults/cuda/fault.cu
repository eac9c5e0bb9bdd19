// A CUDA kernel that fails on purpose, one way per value of MODE (see README.md): tuna must
// record each failure with the right status and error class, replace the bench worker after
// the failures that break the CUDA context, and carry on. It computes y[i] = 2 * x[i] + 1.
//
// Faults are written so that the compiler keeps them: stores through volatile pointers, a loop
// with a sleep instruction in it (C++ lets a compiler assume that an empty loop ends).

#ifndef MODE
#define MODE 0
#endif

#if MODE == 6
#error "MODE 6 fails to compile on purpose (an #error directive)"
#endif

#if MODE == 11
// Keeps 80 floats live across a loop: about 100 registers per thread, so a block of 1024
// threads needs more than the 64K registers of an SM.
__device__ float register_hungry(const float* x, int i, int n) {
  float a[8], b[8], acc[8][8] = {};
#pragma unroll
  for (int k = 0; k < 8; ++k) {
    a[k] = x[(i + 37 * k) % n];
    b[k] = x[(i + 101 * k) % n];
  }
  for (int round = 0; round < n % 16 + 16; ++round) {
#pragma unroll
    for (int p = 0; p < 8; ++p)
#pragma unroll
      for (int q = 0; q < 8; ++q) acc[p][q] = fmaf(a[p], b[q], acc[p][q]);
#pragma unroll
    for (int p = 0; p < 8; ++p) a[p] = 0.5f * acc[p][(p + round) & 7];
  }
  float sum = 0;
#pragma unroll
  for (int p = 0; p < 8; ++p)
#pragma unroll
    for (int q = 0; q < 8; ++q) sum += acc[p][q];
  return sum;
}
#endif

extern "C" __global__ void fault(const float* x, float* y, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
#if MODE == 0 || MODE == 9 || MODE == 10
  y[i] = 2.0f * x[i] + 1.0f;
#elif MODE == 1
  // The same result with the elements visited in reverse.
  const int j = n - 1 - i;
  y[j] = 2.0f * x[j] + 1.0f;
#elif MODE == 2
  float* volatile nowhere = nullptr;
  *nowhere = x[i];  // CUDA_ERROR_ILLEGAL_ADDRESS: a store through a null pointer
#elif MODE == 3
  volatile long long far = 1ll << 40;
  y[i + far] = x[i];  // CUDA_ERROR_ILLEGAL_ADDRESS: 4 TiB past the end of y
#elif MODE == 4
  if (i == 0) __trap();  // the kernel aborts: CUDA_ERROR_LAUNCH_FAILED
  y[i] = 2.0f * x[i] + 1.0f;
#elif MODE == 5
  for (;;) __nanosleep(1000);  // never finishes: the run timeout kills the worker
#elif MODE == 7
  y[i] = 2.0f * x[i] + 1.5f;  // every element off by 0.5
#elif MODE == 8
  if (i != n - 1) y[i] = 2.0f * x[i] + 1.0f;  // the last element keeps tuna's NaN poison
#elif MODE == 11
  y[i] = register_hungry(x, i, n);  // launched with 1024 threads: too many registers
#else
#error "MODE must be between 0 and 11"
#endif
}
