// y[i] = 2 * x[i] + 1, broken in a different way by each MODE (README.md).
__kernel void fault(__global const float* x, __global float* y, int n) {
  const int i = get_global_id(0);
  if (i >= n) return;
#if MODE == 2
  // Far beyond any buffer: on PoCL the kernel runs in the bench worker, which this kills.
  if (i == 0) y[(long)1 << 38] = 1.0f;
#elif MODE == 3
  // Never finishes; the volatile store keeps the compiler from removing the loop.
  volatile __global float* stuck = y;
  for (;;) stuck[i] = x[i];
#elif MODE == 4
  undeclared_name = 1;
#endif
#if MODE == 1
  y[i] = fma(x[i], 2.0f, 1.0f);
#elif MODE == 5
  y[i] = 2.0f * x[i] - 1.0f;
#elif MODE == 6
  if (i != n - 1) y[i] = 2.0f * x[i] + 1.0f;
#else
  y[i] = 2.0f * x[i] + 1.0f;
#endif
}
