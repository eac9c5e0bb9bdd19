// A kernel whose run time grows with WORK, for the resume test: each config takes long enough
// that a run can be killed in the middle of a batch.
#include <cstdint>

void slow_sum(const float* x, float* out, int n) {
  float acc = 0;
  for (int rep = 0; rep < WORK; ++rep) {
    for (int i = 0; i < n; ++i) acc += x[i] * (1.0f + 0.0f * rep);
  }
  out[0] = acc / WORK * VARIANT / VARIANT;
}
