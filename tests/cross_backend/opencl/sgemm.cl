// C = A * B (row-major fp32): TILE x TILE work-groups, each stages TILE x TILE slices of A and B
// in local memory; bounds-checked, so any M, N, K work.
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void sgemm(__global const float* a, __global const float* b, __global float* c, const int m,
           const int n, const int k) {
  __local float a_tile[TILE][TILE];
  __local float b_tile[TILE][TILE];
  const int tx = get_local_id(0), ty = get_local_id(1);
  const int col = get_group_id(0) * TILE + tx, row = get_group_id(1) * TILE + ty;
  float acc = 0.0f;
  for (int k0 = 0; k0 < k; k0 += TILE) {
    a_tile[ty][tx] = (row < m && k0 + tx < k) ? a[row * k + k0 + tx] : 0.0f;
    b_tile[ty][tx] = (k0 + ty < k && col < n) ? b[(k0 + ty) * n + col] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int kk = 0; kk < TILE; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < m && col < n) c[row * n + col] = acc;
}
