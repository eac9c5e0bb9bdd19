#include "backends/opencl/device_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "backends/common/device_check_support.hpp"
#include "backends/common/element_decoder.hpp"
#include "backends/opencl/opencl_device.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

// Work-items per group (or the device's largest power of two below it), and groups per compute
// unit: enough to fill the device several times over; the loops stride over the rest.
constexpr std::size_t kGroupSize = 256;
constexpr std::size_t kGroupsPerUnit = 8;

// Grid-stride loops; each work-group reduces in local memory (OpenCL 1.2 has no warp
// shuffles) and its first work-item updates the summary with 64-bit atomics (max and min on
// integers: non-negative doubles order as their bits). `WG` is set before this text.
constexpr const char* kSource = R"cl(
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
#pragma OPENCL EXTENSION cl_khr_int64_extended_atomics : enable

inline int same_non_finite(double a, double b) {
  if (isnan(a) && isnan(b)) return 1;
  return isinf(a) && isinf(b) && signbit(a) == signbit(b);
}

// Halves the group's values in local memory until the first holds the result.
inline void group_max(__local double* v) {
  const uint id = get_local_id(0);
  for (uint s = WG / 2; s > 0; s >>= 1) {
    if (id < s) v[id] = fmax(v[id], v[id + s]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
}
inline void group_sum_min(__local ulong* sum, __local ulong* low) {
  const uint id = get_local_id(0);
  for (uint s = WG / 2; s > 0; s >>= 1) {
    if (id < s) {
      sum[id] += sum[id + s];
      low[id] = min(low[id], low[id + s]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
}

#define TUNA_CHECK_KERNELS(NAME, TYPE)                                                        \
  __kernel void tuna_magnitude_##NAME(__global const TYPE* ref, ulong n,                      \
                                      __global ulong* summary) {                              \
    __local double m[WG];                                                                     \
    double best = 0;                                                                          \
    for (ulong i = get_global_id(0); i < n; i += get_global_size(0)) {                        \
      const double v = fabs((double)ref[i]);                                                  \
      if (isfinite(v) && v > best) best = v;                                                  \
    }                                                                                         \
    m[get_local_id(0)] = best;                                                                \
    barrier(CLK_LOCAL_MEM_FENCE);                                                             \
    group_max(m);                                                                             \
    if (get_local_id(0) == 0) atom_max(&summary[0], as_ulong(m[0]));                          \
  }                                                                                           \
  __kernel void tuna_compare_##NAME(__global const TYPE* ref, __global const TYPE* out,       \
                                    ulong n, double tolerance, __global ulong* summary) {     \
    __local double error[WG];                                                                 \
    __local ulong failures[WG];                                                               \
    __local ulong first[WG];                                                                  \
    double max_error = 0;                                                                     \
    ulong failed = 0, lowest = ~(ulong)0;                                                     \
    for (ulong i = get_global_id(0); i < n; i += get_global_size(0)) {                        \
      const double r = (double)ref[i], o = (double)out[i];                                    \
      if (same_non_finite(r, o)) continue;                                                    \
      double e = fabs(o - r);                                                                 \
      if (isnan(e)) e = as_double((ulong)0x7ff0000000000000UL);                               \
      if (e > max_error) max_error = e;                                                       \
      if (e <= tolerance) continue;                                                           \
      ++failed;                                                                               \
      if (i < lowest) lowest = i;                                                             \
    }                                                                                         \
    const uint id = get_local_id(0);                                                          \
    error[id] = max_error;                                                                    \
    failures[id] = failed;                                                                    \
    first[id] = lowest;                                                                       \
    barrier(CLK_LOCAL_MEM_FENCE);                                                             \
    group_max(error);                                                                         \
    group_sum_min(failures, first);                                                           \
    if (id == 0) {                                                                            \
      atom_max(&summary[0], as_ulong(error[0]));                                              \
      if (failures[0] > 0) {                                                                  \
        atom_add(&summary[1], failures[0]);                                                   \
        atom_min(&summary[2], first[0]);                                                      \
      }                                                                                       \
    }                                                                                         \
  }
)cl";

// The source's name of each element type.
const char* device_type_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::F32: return "float";
    case Dtype::F64: return "double";
    case Dtype::I8: return "char";
    case Dtype::I16: return "short";
    case Dtype::I32: return "int";
    case Dtype::I64: return "long";
    case Dtype::U8: return "uchar";
    case Dtype::U16: return "ushort";
    case Dtype::U32: return "uint";
    case Dtype::U64: return "ulong";
    case Dtype::F16: break;
  }
  throw InternalError("OpenCL check kernels: no kernel for this element type");
}

std::size_t device_size(const OpenClApi& api, cl_device_id device, cl_device_info what) {
  std::size_t value = 0;
  check(api.get_device_info(device, what, sizeof value, &value, nullptr), "reading device facts");
  return value;
}

cl_uint device_uint(const OpenClApi& api, cl_device_id device, cl_device_info what) {
  cl_uint value = 0;
  check(api.get_device_info(device, what, sizeof value, &value, nullptr), "reading device facts");
  return value;
}

// The largest power of two no larger than min(kGroupSize, the device's work-group limit).
std::size_t group_size_for(const OpenClApi& api, cl_device_id device) {
  const std::size_t limit =
      std::min(kGroupSize, device_size(api, device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
  std::size_t size = 1;
  while (size * 2 <= limit) size *= 2;
  return size;
}

}  // namespace

std::string device_check_unsupported(const OpenClApi& api, cl_device_id device) {
  const std::string extensions = " " + device_string(api, device, CL_DEVICE_EXTENSIONS) + " ";
  for (const char* needed :
       {"cl_khr_fp64", "cl_khr_int64_base_atomics", "cl_khr_int64_extended_atomics"})
    if (extensions.find(std::string(" ") + needed + " ") == std::string::npos)
      return fmt::format("the device lacks {}", needed);
  return "";
}

bool worth_checking_on(const OpenClApi& api, cl_device_id device) {
  cl_device_type type = 0;
  if (api.get_device_info(device, CL_DEVICE_TYPE, sizeof type, &type, nullptr) != CL_SUCCESS)
    return false;
  return (type & CL_DEVICE_TYPE_CPU) == 0;
}

std::string check_kernels_source(const std::set<Dtype>& dtypes, std::size_t group_size) {
  std::string source = fmt::format("#define WG {}\n", group_size);
  source += kSource;
  for (Dtype dtype : dtypes)
    source += fmt::format("TUNA_CHECK_KERNELS({}, {})\n", dtype_name(dtype), device_type_name(dtype));
  return source;
}

ClDeviceCheck::ClDeviceCheck(const OpenClApi& api, cl_context context, cl_device_id device,
                             cl_command_queue queue, const std::set<Dtype>& dtypes)
    : api_(api),
      context_(context),
      queue_(queue),
      group_size_(group_size_for(api, device)),
      groups_(std::max<std::size_t>(1, device_uint(api, device, CL_DEVICE_MAX_COMPUTE_UNITS)) *
              kGroupsPerUnit) {
  const std::string source = check_kernels_source(dtypes, group_size_);
  const char* text = source.c_str();
  const std::size_t length = source.size();
  cl_int status = CL_SUCCESS;
  program_ = Program(api_.create_program_with_source(context_, 1, &text, &length, &status),
                     api_.release_program);
  check(status, "creating tuna's check kernels");
  const cl_int built = build(api_, program_.get(), device, "");
  if (built != CL_SUCCESS)
    throw ClFailure(built,
                    fmt::format("building tuna's check kernels ({})",
                                build_log(api_, program_.get(), device)),
                    false);
  summary_ = MemObject(api_.create_buffer(context_, CL_MEM_READ_WRITE,
                                          sizeof(backends::CheckSummary), nullptr, &status),
      api_.release_mem_object);
  check(status, "creating the check summary");
}

cl_kernel ClDeviceCheck::kernel(const char* kind, Dtype dtype) {
  const std::string name = fmt::format("tuna_{}_{}", kind, dtype_name(dtype));
  for (const auto& [known, made] : kernels_)
    if (known == name) return made.get();
  cl_int status = CL_SUCCESS;
  Kernel made(api_.create_kernel(program_.get(), name.c_str(), &status), api_.release_kernel);
  check(status, fmt::format("finding the check kernel {}", name));
  kernels_.emplace_back(name, std::move(made));
  return kernels_.back().second.get();
}

void ClDeviceCheck::clear_summary() {
  // Zero maximum and count, and all ones for the lowest failing index (none yet).
  const backends::CheckSummary cleared{0, 0, ~std::uint64_t{0}};
  check(api_.enqueue_write_buffer(queue_, summary_.get(), CL_TRUE, 0, sizeof cleared, &cleared, 0,
                                  nullptr, nullptr),
        "clearing the check summary");
}

backends::CheckSummary ClDeviceCheck::run(cl_kernel kernel, std::uint64_t count,
                                          const std::vector<cl_mem>& buffers,
                                          const double* tolerance) {
  clear_summary();
  cl_uint arg = 0;
  for (const cl_mem& buffer : buffers)
    check(api_.set_kernel_arg(kernel, arg++, sizeof(cl_mem), &buffer), "passing a check buffer");
  const cl_ulong n = count;
  check(api_.set_kernel_arg(kernel, arg++, sizeof n, &n), "passing the element count");
  if (tolerance != nullptr)
    check(api_.set_kernel_arg(kernel, arg++, sizeof(double), tolerance), "passing the tolerance");
  const cl_mem summary = summary_.get();
  check(api_.set_kernel_arg(kernel, arg++, sizeof(cl_mem), &summary), "passing the summary");
  const std::size_t needed = (count + group_size_ - 1) / group_size_;
  const std::size_t global = std::clamp<std::size_t>(needed, 1, groups_) * group_size_;
  const std::size_t local = group_size_;
  check(api_.enqueue_nd_range_kernel(queue_, kernel, 1, nullptr, &global, &local, 0, nullptr,
                                     nullptr),
        "launching the correctness check");
  backends::CheckSummary result;
  check_wait(api_.enqueue_read_buffer(queue_, summary_.get(), CL_TRUE, 0, sizeof result, &result,
                                      0, nullptr, nullptr),
             "reading the check summary");
  return result;
}

void ClDeviceCheck::keep(const std::vector<ClDeviceOutput>& outputs,
                         const std::vector<OutputBuffer>* expected) {
  references_.clear();
  for (const ClDeviceOutput& out : outputs) {
    const backends::ReferenceSource source =
        backends::reference_source(expected, out.name, out.dtype, out.count);
    if (!source.keep) continue;
    const OutputBuffer* host = source.file;
    Reference ref;
    const std::size_t bytes = out.count * dtype_size(out.dtype);
    cl_int status = CL_SUCCESS;
    ref.memory = MemObject(api_.create_buffer(context_, CL_MEM_READ_WRITE,
                                              std::max<std::size_t>(bytes, 1), nullptr, &status),
                           api_.release_mem_object);
    check(status, fmt::format("keeping the reference {} on the device", out.name));
    ref.where = out;
    ref.where.data = ref.memory.get();
    if (host != nullptr)
      check(api_.enqueue_write_buffer(queue_, ref.where.data, CL_TRUE, 0, bytes,
                                      host->bytes.data(), 0, nullptr, nullptr),
            fmt::format("copying the expected {} to the device", out.name));
    else if (bytes > 0)
      check(api_.enqueue_copy_buffer(queue_, out.data, ref.where.data, 0, 0, bytes, 0, nullptr,
                                     nullptr),
            fmt::format("keeping the reference {} on the device", out.name));
    const backends::CheckSummary magnitude =
        run(kernel("magnitude", out.dtype), out.count, {ref.where.data}, nullptr);
    ref.max_magnitude = std::bit_cast<double>(magnitude.max_error_bits);
    references_.push_back(std::move(ref));
  }
}

double ClDeviceCheck::element(Dtype dtype, cl_mem buffer, std::uint64_t index) {
  unsigned char bytes[8] = {};
  const std::size_t size = dtype_size(dtype);
  check_wait(api_.enqueue_read_buffer(queue_, buffer, CL_TRUE, index * size, size, bytes, 0,
                                      nullptr, nullptr),
             "reading a failing element");
  return backends::load_element(dtype, bytes);
}

std::vector<BufferCheck> ClDeviceCheck::compare(const std::vector<ClDeviceOutput>& outputs,
                                                double atol, double rtol) {
  std::vector<BufferCheck> checks;
  for (const Reference& ref : references_) {
    const ClDeviceOutput& out = backends::output_named(outputs, ref.where.name);
    const double tolerance = atol + rtol * ref.max_magnitude;
    const backends::CheckSummary summary = run(kernel("compare", ref.where.dtype), ref.where.count,
                                               {ref.where.data, out.data}, &tolerance);
    checks.push_back(backends::buffer_check(
        ref.where.name, ref.where.count, tolerance, summary,
        [&](bool from_output, std::uint64_t i) {
          return element(ref.where.dtype, from_output ? out.data : ref.where.data, i);
        }));
  }
  return checks;
}

}  // namespace tuna::opencl
