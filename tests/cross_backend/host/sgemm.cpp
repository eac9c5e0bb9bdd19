// C = A * B (row-major fp32) on the CPU: the k loop blocked by BK, summed in k order per element.
#include <cstdint>

extern "C" void sgemm(const float* a, const float* b, float* c, std::int32_t m, std::int32_t n,
                      std::int32_t k) {
  for (std::int32_t i = 0; i < m; ++i)
    for (std::int32_t j = 0; j < n; ++j) c[i * n + j] = 0.0f;
  for (std::int32_t k0 = 0; k0 < k; k0 += BK)
    for (std::int32_t i = 0; i < m; ++i)
      for (std::int32_t kk = k0; kk < k0 + BK && kk < k; ++kk)
        for (std::int32_t j = 0; j < n; ++j) c[i * n + j] += a[i * k + kk] * b[kk * n + j];
}
