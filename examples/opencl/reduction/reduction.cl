// out[0] += x[0] + x[1] + ... + x[n-1] in fp32 (out starts at zero: spec.toml's init).
//
// Work decomposition (launch: local = WG, global = n / (PER * VEC) work-items):
//   x is viewed as n / VEC vectors of VEC floats (float .. float8). Work-group g owns the
//   WG * PER consecutive vectors from g * WG * PER. Each work-item adds PER of them into one
//   vector accumulator:
//     STRIDED = 1: vectors lid, lid + WG, lid + 2 WG, ... (neighbouring work-items read
//                  neighbouring vectors: coalesced on GPUs);
//     STRIDED = 0: vectors lid * PER ... lid * PER + PER - 1 (one contiguous run per work-item:
//                  sequential streams on CPUs).
//   The accumulator's lanes are added, the work-group's WG sums are reduced by a tree in local
//   memory (log2(WG) barriers), and work-item 0 adds the group's sum to out[0] with a
//   compare-and-swap loop (OpenCL 1.2 has no float atomic add). The order of the final adds
//   varies from run to run, so results differ by rounding (spec.toml's tolerance).
// Needs: WG a power of two and n % (WG * PER * VEC) == 0 (spec.toml).

#ifndef WG
#define WG 256
#endif
#ifndef PER
#define PER 4
#endif
#ifndef VEC
#define VEC 1
#endif
#ifndef STRIDED
#define STRIDED 1
#endif

#if VEC == 1
typedef float realV;
#define LANE_SUM(v) (v)
#elif VEC == 2
typedef float2 realV;
#define LANE_SUM(v) ((v).s0 + (v).s1)
#elif VEC == 4
typedef float4 realV;
#define LANE_SUM(v) (((v).s0 + (v).s1) + ((v).s2 + (v).s3))
#elif VEC == 8
typedef float8 realV;
#define LANE_SUM(v) ((((v).s0 + (v).s1) + ((v).s2 + (v).s3)) + (((v).s4 + (v).s5) + ((v).s6 + (v).s7)))
#else
#error "VEC must be 1, 2, 4 or 8"
#endif

inline void atomic_add_float(volatile __global float* target, float value) {
  volatile __global int* bits = (volatile __global int*)target;
  int seen = *bits;
  while (true) {
    const int expected = seen;
    const int desired = as_int(as_float(expected) + value);
    seen = atomic_cmpxchg(bits, expected, desired);
    if (seen == expected) break;
  }
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void reduce_sum(__global const realV* restrict x, __global float* out, const int n) {
  __local float sums[WG];
  const int lid = get_local_id(0);
  const int base = get_group_id(0) * (WG * PER);

  realV acc = (realV)(0.0f);
#pragma unroll
  for (int i = 0; i < PER; ++i) {
#if STRIDED == 1
    acc += x[base + i * WG + lid];
#else
    acc += x[base + lid * PER + i];
#endif
  }
  sums[lid] = LANE_SUM(acc);
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = WG / 2; width > 0; width /= 2) {
    if (lid < width) sums[lid] += sums[lid + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) atomic_add_float(out, sums[0]);
}

// The reference: one work-item adds all n values in order with a compensated (Kahan) fp32 sum
// and overwrites out[0]; the others do nothing, whatever the launch geometry.
__kernel void reduce_sum_reference(__global const float* restrict x, __global float* out,
                                   const int n) {
  if (get_global_id(0) != 0) return;
  float sum = 0.0f, comp = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float term = x[i] - comp;
    const float next = sum + term;
    comp = (next - sum) - term;
    sum = next;
  }
  out[0] = sum;
}
