// Correctness and speed check of the CUDA GEMM examples (examples/cuda/sgemm, examples/cuda/hgemm)
// against an independent naive kernel and against cuBLAS, outside tuna. Not built by CMake.
//
// One binary checks one configuration of one kernel (the configuration is a set of -D macros,
// exactly as tuna passes them). Build and run on the GPU machine, from the repository root:
//
//   nvcc -O3 -std=c++17 -arch=sm_90 -lineinfo bench/cuda_gemm_check.cu -lcublas -o /tmp/gemm_check \
//        -DBM=128 -DBN=128 -DBK=8 -DWM=64 -DWN=32 -DTM=8 -DTN=8 -DVEC=4 -DDOUBLE_BUFFER=1 \
//        -DPAD_A=4 -DMIN_BLOCKS=2 -DGROUP_M=8 && /tmp/gemm_check
//   nvcc -O3 -std=c++17 -arch=sm_90 -lineinfo -DCHECK_HGEMM bench/cuda_gemm_check.cu -lcublas \
//        -o /tmp/hgemm_check -DBM=128 -DBN=256 -DBK=32 -DWM=64 -DWN=64 -DSTAGES=3 -DSWIZZLE=1 \
//        -DGROUP_M=8 && /tmp/hgemm_check
//
// Several configurations: one build per line, e.g.
//   while read -r cfg; do nvcc -O3 -std=c++17 -arch=sm_90 bench/cuda_gemm_check.cu -lcublas \
//     -o /tmp/g $(printf -- '-D%s ' $cfg) && /tmp/g; done <<'EOF'
//   BM=64 BN=64 BK=8 WM=32 WN=32 TM=4 TN=8
//   BM=128 BN=128 BK=8 WM=64 WN=32 TM=8 TN=8 DOUBLE_BUFFER=1 PAD_A=4 MIN_BLOCKS=2 GROUP_M=8
//   EOF
// (add -DCHECK_HGEMM for the tensor-core kernel). Macros left out take the kernel's defaults.
//
// For each problem size (512 x 768 x 1536, non-square so that swapped M/N/K show up, and
// 4096^3; or M N K given as arguments) it prints the largest error of the tuned kernel, of the
// example's own reference kernel and of cuBLAS against a naive kernel of this file (double
// sums), whether the tuned kernel passes the spec's tolerance, and the median time and TFLOP/s
// of the tuned kernel and of cuBLAS (CUDA events, 5 warm-up runs, 30 timed runs).
// Exit status: 0 when every check passed, 1 otherwise.

#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#ifdef CHECK_HGEMM
#include "../examples/cuda/hgemm/hgemm.cu"
#define KERNEL hgemm
#define KERNEL_REF hgemm_reference
#define THREADS HG_THREADS
#define SHARED_BYTES (STAGES * (BM + BN) * HG_LD * 2)
using In = unsigned short;
constexpr double kAtol = 5e-3, kRtol = 5e-5;  // as in examples/cuda/hgemm/spec.toml
#else
#include "../examples/cuda/sgemm/sgemm.cu"
#define KERNEL sgemm
#define KERNEL_REF sgemm_reference
#define THREADS SG_THREADS
#define SHARED_BYTES (4 * SG_BUFS * BK * (BM + PAD_A + BN))
using In = float;
constexpr double kAtol = 1e-3, kRtol = 2e-5;  // as in examples/cuda/sgemm/spec.toml
#endif

#define CUDA_OK(call)                                                                    \
  do {                                                                                   \
    cudaError_t e_ = (call);                                                             \
    if (e_ != cudaSuccess) {                                                             \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,                 \
                   cudaGetErrorString(e_));                                              \
      std::exit(2);                                                                      \
    }                                                                                    \
  } while (0)
#define CUBLAS_OK(call)                                                                        \
  do {                                                                                         \
    cublasStatus_t s_ = (call);                                                                \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                                         \
      std::fprintf(stderr, "%s:%d: %s: cuBLAS status %d\n", __FILE__, __LINE__, #call, (int)s_); \
      std::exit(2);                                                                            \
    }                                                                                          \
  } while (0)

namespace {

// The independent reference: one thread per element of C, double sums, plain indexing.
#ifdef CHECK_HGEMM
__global__ void naive(const __half* A, const __half* B, float* C, int M, int N, int K) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x, i = blockIdx.y;
  if (j >= N) return;
  double s = 0;
  for (int k = 0; k < K; ++k) s += (double)__half2float(A[(size_t)i * K + k]) * __half2float(B[(size_t)j * K + k]);
  C[(size_t)i * N + j] = (float)s;
}
#else
__global__ void naive(const float* A, const float* B, float* C, int M, int N, int K) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x, i = blockIdx.y;
  if (j >= N) return;
  double s = 0;
  for (int k = 0; k < K; ++k) s += (double)A[(size_t)i * K + k] * B[(size_t)k * N + j];
  C[(size_t)i * N + j] = (float)s;
}
#endif

struct Errors {
  double max_err = 0, max_ref = 0;
  bool pass() const { return max_err <= kAtol + kRtol * max_ref; }
};

Errors compare(const std::vector<float>& got, const std::vector<float>& want) {
  Errors e;
  for (size_t i = 0; i < want.size(); ++i) {
    e.max_ref = std::max(e.max_ref, (double)std::fabs(want[i]));
    double d = std::fabs((double)got[i] - want[i]);
    if (!(d <= e.max_err)) e.max_err = std::isnan(d) ? INFINITY : d;  // NaN counts as failure
  }
  return e;
}

template <class F>
double median_ms(F launch) {
  cudaEvent_t a, b;
  CUDA_OK(cudaEventCreate(&a));
  CUDA_OK(cudaEventCreate(&b));
  for (int i = 0; i < 5; ++i) launch();
  CUDA_OK(cudaDeviceSynchronize());
  std::vector<float> t;
  for (int i = 0; i < 30; ++i) {
    CUDA_OK(cudaEventRecord(a));
    launch();
    CUDA_OK(cudaEventRecord(b));
    CUDA_OK(cudaEventSynchronize(b));
    float ms;
    CUDA_OK(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms);
  }
  CUDA_OK(cudaEventDestroy(a));
  CUDA_OK(cudaEventDestroy(b));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<float> download(const float* d, size_t n) {
  std::vector<float> h(n);
  CUDA_OK(cudaMemcpy(h.data(), d, n * sizeof(float), cudaMemcpyDeviceToHost));
  return h;
}

bool check_size(int M, int N, int K, cublasHandle_t handle) {
  std::printf("-- M=%d N=%d K=%d\n", M, N, K);
  if (M % BM || N % BN || K % BK) {
    std::printf("   skipped: the tiles (BM=%d, BN=%d, BK=%d) do not divide the problem\n", BM, BN, BK);
    return true;
  }
  const size_t a_n = (size_t)M * K, b_n = (size_t)K * N, c_n = (size_t)M * N;
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> uni(-1.f, 1.f);
  std::vector<In> ha(a_n), hb(b_n);
#ifdef CHECK_HGEMM
  for (auto& x : ha) x = __half_as_ushort(__float2half(uni(rng)));
  for (auto& x : hb) x = __half_as_ushort(__float2half(uni(rng)));
#else
  for (auto& x : ha) x = uni(rng);
  for (auto& x : hb) x = uni(rng);
#endif
  In *A, *B;
  float *C, *R, *X;
  CUDA_OK(cudaMalloc(&A, a_n * sizeof(In)));
  CUDA_OK(cudaMalloc(&B, b_n * sizeof(In)));
  CUDA_OK(cudaMalloc(&C, c_n * sizeof(float)));
  CUDA_OK(cudaMalloc(&R, c_n * sizeof(float)));
  CUDA_OK(cudaMalloc(&X, c_n * sizeof(float)));
  CUDA_OK(cudaMemcpy(A, ha.data(), a_n * sizeof(In), cudaMemcpyHostToDevice));
  CUDA_OK(cudaMemcpy(B, hb.data(), b_n * sizeof(In), cudaMemcpyHostToDevice));

#ifdef CHECK_HGEMM
  naive<<<dim3((N + 127) / 128, M), 128>>>((const __half*)A, (const __half*)B, R, M, N, K);
#else
  naive<<<dim3((N + 127) / 128, M), 128>>>(A, B, R, M, N, K);
#endif
  CUDA_OK(cudaGetLastError());
  const std::vector<float> want = download(R, c_n);

  // The tuned kernel, launched as tuna launches it; C is poisoned (NaN bytes) first.
  const dim3 grid(N / BN, M / BM), block(THREADS);
  const int smem = SHARED_BYTES;
  CUDA_OK(cudaFuncSetAttribute(KERNEL, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  auto launch = [&] { KERNEL<<<grid, block, smem>>>(A, B, C, M, N, K); };
  CUDA_OK(cudaMemset(C, 0xff, c_n * sizeof(float)));
  launch();
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaDeviceSynchronize());
  const Errors tuned = compare(download(C, c_n), want);

  // The example's own reference kernel, under the same geometry (tuna uses the default's).
  CUDA_OK(cudaMemset(X, 0xff, c_n * sizeof(float)));
  KERNEL_REF<<<grid, block>>>(A, B, X, M, N, K);
  CUDA_OK(cudaGetLastError());
  const Errors ref = compare(download(X, c_n), want);

  // cuBLAS in the same layout (row-major C = A * B, or A * B^T for hgemm) via column-major
  // identities: C^T = B^T * A^T.
  const float one = 1.f, zero = 0.f;
#ifdef CHECK_HGEMM
  __half* C16;
  CUDA_OK(cudaMalloc(&C16, c_n * sizeof(__half)));
  auto blas = [&] {
    CUBLAS_OK(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &one, B, CUDA_R_16F, K, A,
                           CUDA_R_16F, K, &zero, X, CUDA_R_32F, N, CUBLAS_COMPUTE_32F,
                           CUBLAS_GEMM_DEFAULT));
  };
  auto blas16 = [&] {
    CUBLAS_OK(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &one, B, CUDA_R_16F, K, A,
                           CUDA_R_16F, K, &zero, C16, CUDA_R_16F, N, CUBLAS_COMPUTE_32F,
                           CUBLAS_GEMM_DEFAULT));
  };
#else
  auto blas = [&] {
    CUBLAS_OK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, B, N, A, K, &zero, X, N));
  };
#endif
  blas();
  CUDA_OK(cudaDeviceSynchronize());
  const Errors cublas_err = compare(download(X, c_n), want);

  const double flop = 2.0 * M * N * K;
  const double t_kernel = median_ms(launch), t_blas = median_ms(blas);
  std::printf("   tuned kernel:     max |err| %.3e (tolerance %.3e, max |C| %.1f): %s\n",
              tuned.max_err, kAtol + kRtol * tuned.max_ref, tuned.max_ref,
              tuned.pass() ? "PASS" : "FAIL");
  std::printf("   example reference: max |err| %.3e: %s\n", ref.max_err, ref.pass() ? "PASS" : "FAIL");
  std::printf("   cuBLAS:           max |err| %.3e\n", cublas_err.max_err);
  std::printf("   time: tuned %.3f ms = %.1f TFLOP/s; cuBLAS %.3f ms = %.1f TFLOP/s; ratio %.1f%%\n",
              t_kernel, flop / t_kernel * 1e-9, t_blas, flop / t_blas * 1e-9,
              100.0 * t_blas / t_kernel);
#ifdef CHECK_HGEMM
  const double t16 = median_ms(blas16);
  std::printf("   cuBLAS with fp16 C: %.3f ms = %.1f TFLOP/s\n", t16, flop / t16 * 1e-9);
  CUDA_OK(cudaFree(C16));
#endif
  for (void* p : {(void*)A, (void*)B, (void*)C, (void*)R, (void*)X}) CUDA_OK(cudaFree(p));
  return tuned.pass() && ref.pass();
}

}  // namespace

int main(int argc, char** argv) {
  cudaDeviceProp prop;
  CUDA_OK(cudaGetDeviceProperties(&prop, 0));
#ifdef CHECK_HGEMM
  std::printf("hgemm BM=%d BN=%d BK=%d WM=%d WN=%d STAGES=%d SWIZZLE=%d GROUP_M=%d", BM, BN, BK,
              WM, WN, STAGES, SWIZZLE, GROUP_M);
#else
  std::printf("sgemm BM=%d BN=%d BK=%d WM=%d WN=%d TM=%d TN=%d VEC=%d DOUBLE_BUFFER=%d PAD_A=%d "
              "MIN_BLOCKS=%d GROUP_M=%d", BM, BN, BK, WM, WN, TM, TN, VEC, DOUBLE_BUFFER, PAD_A,
              MIN_BLOCKS, GROUP_M);
#endif
  std::printf(" on %s (%d SMs); %d threads, %d bytes of shared memory\n", prop.name,
              prop.multiProcessorCount, THREADS, (int)(SHARED_BYTES));
  cudaFuncAttributes attr;
  CUDA_OK(cudaFuncGetAttributes(&attr, KERNEL));
  std::printf("registers %d, local (spill) bytes %zu\n", attr.numRegs, attr.localSizeBytes);

  cublasHandle_t handle;
  CUBLAS_OK(cublasCreate(&handle));
  bool ok = true;
  if (argc == 4) {
    ok = check_size(std::atoi(argv[1]), std::atoi(argv[2]), std::atoi(argv[3]), handle);
  } else {
    ok = check_size(512, 768, 1536, handle) && ok;
    ok = check_size(4096, 4096, 4096, handle) && ok;
  }
  CUBLAS_OK(cublasDestroy(handle));
  std::printf("%s\n", ok ? "ALL PASS" : "SOME CHECKS FAILED");
  return ok ? 0 : 1;
}
