#include "backends/cuda/device_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>

#include "backends/common/element_decoder.hpp"
#include "backends/cuda/check_kernels.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

constexpr unsigned kThreads = 256;

}  // namespace

DeviceCheck::DeviceCheck(const DriverApi& driver, const std::string& cubin, CUstream stream,
                         int sm_count)
    : driver_(driver),
      module_(load_module(driver, cubin, "tuna's check kernels")),
      stream_(stream),
      // Enough blocks to fill every SM several times over; the grid-stride loops do the rest.
      blocks_(std::max(1, sm_count) * 8),
      summary_(driver, sizeof(CompareSummary)) {}

CUfunction DeviceCheck::kernel(const char* kind, Dtype dtype) {
  CUfunction function = nullptr;
  const std::string name = check_kernel_name(kind, dtype);
  check(driver_, driver_.module_get_function(&function, module_.get(), name.c_str()),
        fmt::format("finding the check kernel {}", name));
  return function;
}

void DeviceCheck::launch(CUfunction function, std::uint64_t count, std::vector<void*> params) {
  const std::uint64_t needed = (count + kThreads - 1) / kThreads;
  const auto blocks = static_cast<unsigned>(std::clamp<std::uint64_t>(needed, 1, blocks_));
  check(driver_,
        driver_.launch_kernel(function, blocks, 1, 1, kThreads, 1, 1, 0, stream_, params.data(),
                              nullptr),
        "launching the correctness check");
}

void DeviceCheck::clear_summary() {
  // On the check's own stream, so the kernel after it sees the cleared summary: zero maximum and
  // count, and all ones for the lowest failing index (none yet).
  check(driver_, driver_.memset_d8_async(summary_.get(), 0, 16, stream_),
        "clearing the check summary");
  check(driver_, driver_.memset_d8_async(summary_.get() + 16, 0xFF, 8, stream_),
        "clearing the check summary");
}

void DeviceCheck::keep(const std::vector<DeviceOutput>& outputs,
                       const std::vector<OutputBuffer>* expected) {
  references_.clear();
  for (const DeviceOutput& out : outputs) {
    const backends::ReferenceSource source =
        backends::reference_source(expected, out.name, out.dtype, out.count);
    if (!source.keep) continue;
    const OutputBuffer* host = source.file;
    Reference ref;
    const std::size_t bytes = out.count * dtype_size(out.dtype);
    ref.memory = DeviceMemory(driver_, std::max<std::size_t>(bytes, 1));
    ref.where = out;
    ref.where.data = ref.memory.get();
    if (host != nullptr)
      check(driver_, driver_.memcpy_htod(ref.where.data, host->bytes.data(), bytes),
            fmt::format("copying the expected {} to the device", out.name));
    else
      check(driver_, driver_.memcpy_dtod(ref.where.data, out.data, bytes),
            fmt::format("keeping the reference {} on the device", out.name));
    // Those copies go through the legacy stream, which the check's non-blocking stream does not
    // wait for (and may return before the data has landed): wait for them here, once.
    check_wait(driver_, driver_.ctx_synchronize(), "keeping the reference on the device");
    clear_summary();
    CUdeviceptr data = ref.where.data, summary = summary_.get();
    std::uint64_t count = out.count;
    launch(kernel("magnitude", out.dtype), count, {&data, &count, &summary});
    check_wait(driver_, driver_.stream_synchronize(stream_), "computing the reference's magnitude");
    unsigned long long max_bits = 0;
    check(driver_, driver_.memcpy_dtoh(&max_bits, summary_.get(), sizeof max_bits),
          "reading the reference's magnitude");
    ref.max_magnitude = std::bit_cast<double>(max_bits);
    references_.push_back(std::move(ref));
  }
}

double DeviceCheck::element(Dtype dtype, CUdeviceptr base, std::uint64_t index) {
  unsigned char bytes[8] = {};
  const std::size_t size = dtype_size(dtype);
  check(driver_, driver_.memcpy_dtoh(bytes, base + index * size, size),
        "reading a failing element");
  return backends::load_element(dtype, bytes);
}

std::vector<BufferCheck> DeviceCheck::compare(const std::vector<DeviceOutput>& outputs,
                                              double atol, double rtol) {
  std::vector<BufferCheck> checks;
  for (const Reference& ref : references_) {
    const DeviceOutput& out = backends::output_named(outputs, ref.where.name);
    clear_summary();
    CUdeviceptr reference = ref.where.data, output = out.data, result = summary_.get();
    std::uint64_t count = ref.where.count;
    double tolerance = atol + rtol * ref.max_magnitude;
    launch(kernel("compare", ref.where.dtype), count,
           {&reference, &output, &count, &tolerance, &result});
    check_wait(driver_, driver_.stream_synchronize(stream_), "comparing outputs on the device");
    CompareSummary summary{};
    check(driver_, driver_.memcpy_dtoh(&summary, summary_.get(), sizeof summary),
          "reading the check summary");
    checks.push_back(backends::buffer_check(
        ref.where.name, count, tolerance, summary, [&](bool from_output, std::uint64_t i) {
          return element(ref.where.dtype, from_output ? output : reference, i);
        }));
  }
  return checks;
}

}  // namespace tuna::cuda
