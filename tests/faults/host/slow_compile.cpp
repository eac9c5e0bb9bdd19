// A kernel whose compilation never ends in practice when SLOW=1: a constant-expression loop of
// 4e10 steps, allowed by the raised GCC limits in slow_compile.toml. The compile timeout must
// kill the compiler and record `timeout`, and the run must go on.
constexpr long long spin(long long n) {
  long long acc = 0;
  for (long long i = 0; i < n; ++i)
    for (long long j = 0; j < 200000; ++j) acc += (i ^ j) & 1;
  return acc;
}

#if SLOW
constexpr long long kSpun = spin(200000);
#else
constexpr long long kSpun = 0;
#endif

void slow_compile(float* out) { out[0] = 1.0f + 0.0f * static_cast<float>(kSpun); }
