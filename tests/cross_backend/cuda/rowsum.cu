// out[r] = sum of row r (row-major fp32): one block of WG threads per row, a strided per-thread
// sum, then a tree in shared memory.
extern "C" __global__ void rowsum(const float* x, float* out, int rows, int cols) {
  __shared__ float sums[WG];
  const int r = blockIdx.x, lid = threadIdx.x;
  float s = 0.0f;
  for (int c = lid; c < cols; c += WG) s += x[r * cols + c];
  sums[lid] = s;
  __syncthreads();
  for (int width = WG / 2; width > 0; width /= 2) {
    if (lid < width) sums[lid] += sums[lid + width];
    __syncthreads();
  }
  if (lid == 0) out[r] = sums[0];
}
