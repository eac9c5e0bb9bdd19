// Same-size 5 x 5 convolution (cross-correlation with zero padding) of an H x W fp32 image:
//   out[y][x] = sum over dy, dx in [0, 5) of w[dy][dx] * in[y + dy - 2][x + dx - 2]
// with in[] = 0 outside the image.
//
// Work decomposition (launch: local = BX x BY, global = (W / (BX * TX)) * BX x (H / (BY * TY)) * BY):
//   A work-group covers a (BY * TY) x (BX * TX) tile of the output. Work-item (lx, ly) computes
//   TY consecutive rows (ly * TY ...) times TX columns BX apart (lx, lx + BX, ...), so the
//   columns of neighbouring work-items are adjacent (coalesced on GPUs). It walks the TY + 4
//   input rows its outputs need, loads the 5-wide window of each row once per column and adds
//   it to every output row whose filter covers it: each loaded value serves up to 5 outputs.
//   LOCAL = 1: the work-group first copies its input tile plus a 2-pixel halo
//              ((BY * TY + 4) x (BX * TX + 4) floats) into local memory, zero outside the
//              image, then reads windows from there (one barrier);
//   LOCAL = 0: windows are read from global memory with bounds tests (caches catch the overlap).
// Needs: H % (BY * TY) == 0 and W % (BX * TX) == 0 (spec.toml), no other bounds checks.

#ifndef BX
#define BX 16
#endif
#ifndef BY
#define BY 8
#endif
#ifndef TX
#define TX 1
#endif
#ifndef TY
#define TY 1
#endif
#ifndef LOCAL
#define LOCAL 0
#endif

#define RADIUS 2
#define TAPS (2 * RADIUS + 1)
#define TILE_W (BX * TX + 2 * RADIUS)
#define TILE_H (BY * TY + 2 * RADIUS)

inline float pixel(__global const float* in, int H, int W, int y, int x) {
  return (y >= 0 && y < H && x >= 0 && x < W) ? in[y * W + x] : 0.0f;
}

__kernel __attribute__((reqd_work_group_size(BX, BY, 1)))
void conv2d(__global const float* restrict in, __global const float* restrict w,
            __global float* restrict out, const int H, const int W) {
  const int lx = get_local_id(0);
  const int ly = get_local_id(1);
  const int tile_x = get_group_id(0) * (BX * TX);
  const int tile_y = get_group_id(1) * (BY * TY);

  float weights[TAPS * TAPS];
  for (int i = 0; i < TAPS * TAPS; ++i) weights[i] = w[i];

#if LOCAL == 1
  __local float tile[TILE_H * TILE_W];
  for (int i = ly * BX + lx; i < TILE_H * TILE_W; i += BX * BY) {
    const int ty = i / TILE_W, tx = i % TILE_W;
    tile[i] = pixel(in, H, W, tile_y + ty - RADIUS, tile_x + tx - RADIUS);
  }
  barrier(CLK_LOCAL_MEM_FENCE);
#define WINDOW(row, col) tile[(row) * TILE_W + (col)]
#else
#define WINDOW(row, col) pixel(in, H, W, tile_y + (row) - RADIUS, tile_x + (col) - RADIUS)
#endif

  float acc[TY][TX];
  for (int oy = 0; oy < TY; ++oy)
    for (int ox = 0; ox < TX; ++ox) acc[oy][ox] = 0.0f;

  // Input row r (relative to the work-item's first output row minus RADIUS) feeds output row
  // oy through filter row r - oy.
#pragma unroll
  for (int r = 0; r < TY + 2 * RADIUS; ++r) {
    const int row = ly * TY + r;
#pragma unroll
    for (int ox = 0; ox < TX; ++ox) {
      const int col = lx + ox * BX;
      float window[TAPS];
#pragma unroll
      for (int dx = 0; dx < TAPS; ++dx) window[dx] = WINDOW(row, col + dx);
#pragma unroll
      for (int oy = 0; oy < TY; ++oy) {
        const int fy = r - oy;
        if (fy >= 0 && fy < TAPS) {
#pragma unroll
          for (int dx = 0; dx < TAPS; ++dx)
            acc[oy][ox] = fma(weights[fy * TAPS + dx], window[dx], acc[oy][ox]);
        }
      }
    }
  }

  for (int oy = 0; oy < TY; ++oy)
    for (int ox = 0; ox < TX; ++ox)
      out[(tile_y + ly * TY + oy) * W + tile_x + lx + ox * BX] = acc[oy][ox];
}

// The reference: one output per loop step in plain filter order, over a 2-D grid-stride loop so
// any launch geometry covers the image.
__kernel void conv2d_reference(__global const float* restrict in, __global const float* restrict w,
                               __global float* restrict out, const int H, const int W) {
  for (int y = get_global_id(1); y < H; y += get_global_size(1)) {
    for (int x = get_global_id(0); x < W; x += get_global_size(0)) {
      float sum = 0.0f;
      for (int dy = 0; dy < TAPS; ++dy)
        for (int dx = 0; dx < TAPS; ++dx)
          sum += w[dy * TAPS + dx] * pixel(in, H, W, y + dy - RADIUS, x + dx - RADIUS);
      out[y * W + x] = sum;
    }
  }
}
