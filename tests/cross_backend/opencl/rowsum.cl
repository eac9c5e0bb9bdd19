// out[r] = sum of row r (row-major fp32): one work-group of WG work-items per row, a strided
// per-work-item sum, then a tree in local memory.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void rowsum(__global const float* x, __global float* out, const int rows, const int cols) {
  __local float sums[WG];
  const int r = get_group_id(0), lid = get_local_id(0);
  float s = 0.0f;
  for (int c = lid; c < cols; c += WG) s += x[r * cols + c];
  sums[lid] = s;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = WG / 2; width > 0; width /= 2) {
    if (lid < width) sums[lid] += sums[lid + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) out[r] = sums[0];
}
