// A kernel with one clearly fastest config (A=6, B=4), for the LLM-guided search tests: a
// scripted LLM steers towards it and the tests check that the search gets there. Every config
// computes the same sum; the slow ones repeat the pass. A=8, B=8 fails to compile, so the
// search meets a failure too.
#if A == 8 && B == 8
#error "A=8 with B=8 is not supported"
#endif

void llm_steer(const float* x, float* out, int n) {
  const int reps = (A == 6 && B == 4) ? 1 : 3 + (A % 2);
  float acc = 0;
  for (int rep = 0; rep < reps; ++rep) {
    float pass = 0;
    for (int i = 0; i < n; ++i) pass += x[i];
    acc += pass;
  }
  out[0] = acc / reps;
}
