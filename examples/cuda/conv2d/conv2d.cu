// out = in (*) w: a 5 x 5 two-dimensional convolution (cross-correlation, as in neural networks)
// of a row-major fp32 image of H x W, zero outside the image, output the same size:
//   out[y][x] = sum_{dy, dx in 0..4} w[dy][dx] * in[y + dy - 2][x + dx - 2].
//
// Each output needs 25 inputs; each input feeds 25 outputs. Memory sees each input once only
// if the reuse happens on chip: in shared memory (SMEM = 1, a tile plus its 2-pixel halo),
// in L1 (SMEM = 0, neighbouring threads read overlapping windows), and in registers (a thread
// computing OY outputs of one column loads each input row once for up to 5 of them).
//
// Thread-to-data mapping (block = (BX, BY) threads; grid = (ceil(W / TW), ceil(H / TH))):
//   the block's output tile is TH = BY * OY rows by TW = BX * OX columns at (y0, x0) =
//   (blockIdx.y * TH, blockIdx.x * TW). Thread (tx, ty) computes the OY x OX outputs
//   y = y0 + ty * OY + j (j < OY: consecutive rows, so input rows are shared in registers) and
//   x = x0 + tx + i * BX (i < OX: BX apart, so a warp's accesses stay consecutive).
//   It walks the input rows y0 + ty * OY - 2 ... y0 + ty * OY + OY + 1; input row r feeds output
//   j with filter row dy = r - j when 0 <= dy < 5 (resolved at compile time: all loops unroll).
//   SMEM = 1: the block first copies input rows y0 - 2 .. y0 + TH + 1 and columns x0 - 2 ..
//   x0 + TW + 1 (zeros outside the image) into shared memory, thread (tx, ty) taking rows
//   ty, ty + BY, ... and columns tx, tx + BX, ...; one barrier; then every read is from there.
//   Tiles whose halo lies inside the image skip the bounds tests (a branch uniform per block).
//   Outputs past the image's edge (only when TW or TH does not divide it) are not stored.

#ifndef BX
#define BX 32
#endif
#ifndef BY
#define BY 8
#endif
#ifndef OX
#define OX 1
#endif
#ifndef OY
#define OY 1
#endif
#ifndef SMEM
#define SMEM 0
#endif
#ifndef LDG
#define LDG 0
#endif

#define RADIUS 2
#define TAPS (2 * RADIUS + 1)
#define TW (BX * OX)
#define TH (BY * OY)
#define SW (TW + 2 * RADIUS)  // shared tile row length
#define SH (TH + 2 * RADIUS)  // shared tile rows

// Global loads of the image: through the read-only data path (LDG = 1) or plain cached loads.
__device__ __forceinline__ float load(const float* p) {
#if LDG
  return __ldg(p);
#else
  return *p;
#endif
}

// Input value at (gy, gx), zero outside the image; without kCheck the caller guarantees it
// is inside.
template <bool kCheck>
__device__ __forceinline__ float pixel(const float* in, int H, int W, int gy, int gx) {
  if (kCheck && (gy < 0 || gy >= H || gx < 0 || gx >= W)) return 0.f;
  return load(in + (long long)gy * W + gx);
}

// acc[j][i] += the contributions of the TAPS x (OY + 2 * RADIUS) window read by `at(r, c)`,
// r the input row relative to the thread's first (row ty * OY - RADIUS of the tile), c the
// input column relative to output i's column minus RADIUS.
template <class At>
__device__ __forceinline__ void accumulate(const float (&wr)[TAPS * TAPS], float (&acc)[OY][OX],
                                           At at) {
#pragma unroll
  for (int r = 0; r < OY + 2 * RADIUS; ++r) {
#pragma unroll
    for (int i = 0; i < OX; ++i) {
      float v[TAPS];
#pragma unroll
      for (int dx = 0; dx < TAPS; ++dx) v[dx] = at(r, i * BX + dx);
#pragma unroll
      for (int j = 0; j < OY; ++j) {
        const int dy = r - j;
        if (dy < 0 || dy >= TAPS) continue;
#pragma unroll
        for (int dx = 0; dx < TAPS; ++dx) acc[j][i] = fmaf(wr[dy * TAPS + dx], v[dx], acc[j][i]);
      }
    }
  }
}

#if SMEM
template <bool kCheck>
__device__ __forceinline__ void stage_tile(const float* in, int H, int W, int y0, int x0,
                                           float* tile) {
  for (int r = threadIdx.y; r < SH; r += BY)
    for (int c = threadIdx.x; c < SW; c += BX)
      tile[r * SW + c] = pixel<kCheck>(in, H, W, y0 + r - RADIUS, x0 + c - RADIUS);
}
#endif

extern "C" __global__ void __launch_bounds__(BX * BY)
conv2d(const float* in, const float* w, float* __restrict__ out, int H, int W) {
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int y0 = blockIdx.y * TH, x0 = blockIdx.x * TW;
  const bool interior =
      y0 >= RADIUS && y0 + TH + RADIUS <= H && x0 >= RADIUS && x0 + TW + RADIUS <= W;

  float wr[TAPS * TAPS];
#pragma unroll
  for (int k = 0; k < TAPS * TAPS; ++k) wr[k] = load(w + k);
  float acc[OY][OX];
#pragma unroll
  for (int j = 0; j < OY; ++j)
#pragma unroll
    for (int i = 0; i < OX; ++i) acc[j][i] = 0.f;

  const int ry = ty * OY;  // the thread's first output row within the tile
#if SMEM
  extern __shared__ float tile[];  // SH rows of SW floats
  if (interior) stage_tile<false>(in, H, W, y0, x0, tile);
  else stage_tile<true>(in, H, W, y0, x0, tile);
  __syncthreads();
  const float* t0 = tile + ry * SW + tx;
  accumulate(wr, acc, [=](int r, int c) { return t0[r * SW + c]; });
#else
  const int gy = y0 + ry - RADIUS, gx = x0 + tx - RADIUS;
  if (interior)
    accumulate(wr, acc, [=](int r, int c) { return pixel<false>(in, H, W, gy + r, gx + c); });
  else
    accumulate(wr, acc, [=](int r, int c) { return pixel<true>(in, H, W, gy + r, gx + c); });
#endif

#pragma unroll
  for (int j = 0; j < OY; ++j) {
    const int y = y0 + ry + j;
#pragma unroll
    for (int i = 0; i < OX; ++i) {
      const int x = x0 + tx + i * BX;
      if (y < H && x < W) out[(long long)y * W + x] = acc[j][i];
    }
  }
}

// The reference: one output per step of a grid-stride loop (any launch geometry), in double.
extern "C" __global__ void conv2d_reference(const float* in, const float* w, float* out, int H,
                                            int W) {
  const long long threads_per_block = (long long)blockDim.x * blockDim.y * blockDim.z;
  const long long block =
      blockIdx.x + (long long)gridDim.x * (blockIdx.y + (long long)gridDim.y * blockIdx.z);
  const long long thread = threadIdx.x + blockDim.x * (threadIdx.y + (long long)blockDim.y * threadIdx.z);
  const long long stride = threads_per_block * gridDim.x * gridDim.y * gridDim.z;
  for (long long e = block * threads_per_block + thread; e < (long long)H * W; e += stride) {
    const int y = (int)(e / W), x = (int)(e % W);
    double s = 0.0;
    for (int dy = 0; dy < TAPS; ++dy)
      for (int dx = 0; dx < TAPS; ++dx) {
        const int yy = y + dy - RADIUS, xx = x + dx - RADIUS;
        if (yy >= 0 && yy < H && xx >= 0 && xx < W)
          s += (double)w[dy * TAPS + dx] * in[(long long)yy * W + xx];
      }
    out[e] = (float)s;
  }
}
