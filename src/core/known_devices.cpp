#include "core/known_devices.hpp"

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <utility>

namespace tuna::sim {
namespace {

// Figures are the vendors' data sheets and programming guides (NVIDIA: the A100, A-series, RTX
// 30, RTX 20, H100 and H200 data sheets and the CUDA C++ Programming Guide's table of compute
// capabilities; AMD: the Instinct and Radeon PRO product pages and the CDNA/RDNA ISA guides).
// Peak rates are at boost clock, without sparsity. An AMD Instinct MI250X or MI250 is two
// graphics dies that HIP and OpenCL present as two devices, so its figures are one die's: what a
// recording measured on "an MI250X" ran on.
using Fact = std::pair<const char*, double>;

struct KnownDevice {
  const char* model;                     // as shown in docs and messages
  std::initializer_list<const char*> all_of;   // normalised substrings that must all appear
  std::initializer_list<const char*> none_of;  // ... and that must not
  const char* vendor;
  const char* architecture;
  std::initializer_list<Fact> facts;
};

constexpr double kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

// Limits every NVIDIA GPU of compute capability 7.0 and later shares.
#define NVIDIA_COMMON                                                                       \
  {"warp_size", 32}, {"max_threads_per_block", 1024}, {"shared_memory_per_block", 48 * kKiB}, \
      {"registers_per_block", 65536}, {"registers_per_sm", 65536}
// Ampere GA10x (compute capability 8.6): 1536 threads and 16 blocks per SM, 100 KB shared memory.
#define NVIDIA_GA10X                                                                   \
  NVIDIA_COMMON, {"compute_capability", 86}, {"max_threads_per_sm", 1536},             \
      {"max_blocks_per_sm", 16}, {"shared_memory_per_block_optin", 99 * kKiB},          \
      {"shared_memory_per_sm", 100 * kKiB}
// A100 (8.0): 2048 threads and 32 blocks per SM, 164 KB shared memory per SM.
#define NVIDIA_GA100                                                                   \
  NVIDIA_COMMON, {"compute_capability", 80}, {"sm_count", 108}, {"max_threads_per_sm", 2048}, \
      {"max_blocks_per_sm", 32}, {"shared_memory_per_block_optin", 163 * kKiB},        \
      {"shared_memory_per_sm", 164 * kKiB}, {"l2_bytes", 40 * kMiB},                   \
      {"memory_bus_width_bits", 5120}, {"sm_clock_mhz", 1410}, {"peak_fp32_gflops", 19500}, \
      {"peak_fp64_gflops", 9700}, {"peak_fp16_tensor_gflops", 312000}
// Hopper GH100 (9.0): 2048 threads and 32 blocks per SM, 228 KB shared memory per SM, 50 MB L2.
#define NVIDIA_GH100                                                                   \
  NVIDIA_COMMON, {"compute_capability", 90}, {"max_threads_per_sm", 2048},             \
      {"max_blocks_per_sm", 32}, {"shared_memory_per_block_optin", 227 * kKiB},         \
      {"shared_memory_per_sm", 228 * kKiB}, {"l2_bytes", 50 * kMiB}
// CDNA (Instinct): 64-wide wavefronts, 64 KB LDS per workgroup.
#define AMD_CDNA {"wavefront_size", 64}, {"max_threads_per_block", 1024}, {"shared_memory_per_block", 64 * kKiB}
// RDNA (Radeon PRO): 32-wide wavefronts natively, 64 KB LDS per workgroup.
#define AMD_RDNA {"wavefront_size", 32}, {"max_threads_per_block", 1024}, {"shared_memory_per_block", 64 * kKiB}

const KnownDevice kDevices[] = {
    {"H100 PCIe", {"H100", "PCIE"}, {}, "NVIDIA", "Hopper",
     {NVIDIA_GH100, {"sm_count", 114}, {"total_memory_bytes", 80 * kGiB},
      {"memory_bandwidth_gbps", 2000}, {"memory_bus_width_bits", 5120}, {"sm_clock_mhz", 1755},
      {"peak_fp32_gflops", 51200}, {"peak_fp64_gflops", 25600},
      {"peak_fp16_tensor_gflops", 756000}}},
    {"H100 NVL", {"H100", "NVL"}, {}, "NVIDIA", "Hopper",
     {NVIDIA_GH100, {"sm_count", 132}, {"total_memory_bytes", 94 * kGiB},
      {"memory_bandwidth_gbps", 3900}, {"peak_fp32_gflops", 60000}, {"peak_fp64_gflops", 30000}}},
    {"H100 SXM5", {"H100"}, {}, "NVIDIA", "Hopper",
     {NVIDIA_GH100, {"sm_count", 132}, {"total_memory_bytes", 80 * kGiB},
      {"memory_bandwidth_gbps", 3350}, {"memory_bus_width_bits", 5120}, {"sm_clock_mhz", 1980},
      {"peak_fp32_gflops", 66900}, {"peak_fp64_gflops", 33500},
      {"peak_fp16_tensor_gflops", 989400}}},
    {"H200", {"H200"}, {}, "NVIDIA", "Hopper",
     {NVIDIA_GH100, {"sm_count", 132}, {"total_memory_bytes", 141e9},
      {"memory_bandwidth_gbps", 4800}, {"memory_bus_width_bits", 6144}, {"sm_clock_mhz", 1980},
      {"peak_fp32_gflops", 66900}, {"peak_fp64_gflops", 33500},
      {"peak_fp16_tensor_gflops", 989400}}},
    {"A100 80GB PCIe", {"A100", "80GB", "PCIE"}, {}, "NVIDIA", "Ampere",
     {NVIDIA_GA100, {"total_memory_bytes", 80 * kGiB}, {"memory_bandwidth_gbps", 1935}}},
    {"A100 80GB SXM4", {"A100", "80GB"}, {}, "NVIDIA", "Ampere",
     {NVIDIA_GA100, {"total_memory_bytes", 80 * kGiB}, {"memory_bandwidth_gbps", 2039}}},
    {"A100 40GB (PCIe or SXM4)", {"A100"}, {}, "NVIDIA", "Ampere",
     {NVIDIA_GA100, {"total_memory_bytes", 40 * kGiB}, {"memory_bandwidth_gbps", 1555}}},
    {"RTX A4000", {"RTXA4000"}, {}, "NVIDIA", "Ampere",
     {NVIDIA_GA10X, {"sm_count", 48}, {"l2_bytes", 4 * kMiB}, {"total_memory_bytes", 16 * kGiB},
      {"memory_bandwidth_gbps", 448}, {"memory_bus_width_bits", 256}, {"sm_clock_mhz", 1560},
      {"peak_fp32_gflops", 19170}}},
    {"RTX A6000", {"RTXA6000"}, {}, "NVIDIA", "Ampere",
     {NVIDIA_GA10X, {"sm_count", 84}, {"l2_bytes", 6 * kMiB}, {"total_memory_bytes", 48 * kGiB},
      {"memory_bandwidth_gbps", 768}, {"memory_bus_width_bits", 384}, {"sm_clock_mhz", 1800},
      {"peak_fp32_gflops", 38710}}},
    {"GeForce RTX 3090", {"RTX3090"}, {"3090TI"}, "NVIDIA", "Ampere",
     {NVIDIA_GA10X, {"sm_count", 82}, {"l2_bytes", 6 * kMiB}, {"total_memory_bytes", 24 * kGiB},
      {"memory_bandwidth_gbps", 936}, {"memory_bus_width_bits", 384}, {"sm_clock_mhz", 1695},
      {"peak_fp32_gflops", 35580}}},
    {"GeForce RTX 2080 Ti", {"2080TI"}, {}, "NVIDIA", "Turing",
     {NVIDIA_COMMON, {"compute_capability", 75}, {"sm_count", 68}, {"max_threads_per_sm", 1024},
      {"max_blocks_per_sm", 16}, {"shared_memory_per_block_optin", 64 * kKiB},
      {"shared_memory_per_sm", 64 * kKiB}, {"l2_bytes", 5.5 * kMiB},
      {"total_memory_bytes", 11 * kGiB}, {"memory_bandwidth_gbps", 616},
      {"memory_bus_width_bits", 352}, {"sm_clock_mhz", 1545}, {"peak_fp32_gflops", 13450}}},
    {"Instinct MI300X", {"MI300X"}, {}, "AMD", "CDNA3",
     {AMD_CDNA, {"compute_units", 304}, {"l2_bytes", 32 * kMiB},
      {"infinity_cache_bytes", 256 * kMiB}, {"total_memory_bytes", 192 * kGiB},
      {"memory_bandwidth_gbps", 5300}, {"memory_bus_width_bits", 8192}, {"sm_clock_mhz", 2100},
      {"peak_fp32_gflops", 81700}, {"peak_fp64_gflops", 81700},
      {"peak_fp16_tensor_gflops", 1307400}}},
    {"Instinct MI250X (one of its two dies)", {"MI250X"}, {}, "AMD", "CDNA2",
     {AMD_CDNA, {"compute_units", 110}, {"l2_bytes", 8 * kMiB}, {"total_memory_bytes", 64 * kGiB},
      {"memory_bandwidth_gbps", 1638.4}, {"memory_bus_width_bits", 4096}, {"sm_clock_mhz", 1700},
      {"peak_fp32_gflops", 23950}, {"peak_fp64_gflops", 23950},
      {"peak_fp16_tensor_gflops", 191500}}},
    {"Instinct MI250 (one of its two dies)", {"MI250"}, {}, "AMD", "CDNA2",
     {AMD_CDNA, {"compute_units", 104}, {"l2_bytes", 8 * kMiB}, {"total_memory_bytes", 64 * kGiB},
      {"memory_bandwidth_gbps", 1638.4}, {"memory_bus_width_bits", 4096}, {"sm_clock_mhz", 1700},
      {"peak_fp32_gflops", 22630}, {"peak_fp64_gflops", 22630}}},
    {"Instinct MI210", {"MI210"}, {}, "AMD", "CDNA2",
     {AMD_CDNA, {"compute_units", 104}, {"l2_bytes", 8 * kMiB}, {"total_memory_bytes", 64 * kGiB},
      {"memory_bandwidth_gbps", 1638.4}, {"memory_bus_width_bits", 4096}, {"sm_clock_mhz", 1700},
      {"peak_fp32_gflops", 22600}, {"peak_fp64_gflops", 22600}}},
    {"Instinct MI100", {"MI100"}, {}, "AMD", "CDNA",
     {AMD_CDNA, {"compute_units", 120}, {"l2_bytes", 8 * kMiB}, {"total_memory_bytes", 32 * kGiB},
      {"memory_bandwidth_gbps", 1228.8}, {"memory_bus_width_bits", 4096}, {"sm_clock_mhz", 1502},
      {"peak_fp32_gflops", 23100}, {"peak_fp64_gflops", 11500}}},
    {"Radeon PRO W7900", {"W7900"}, {}, "AMD", "RDNA3",
     {AMD_RDNA, {"compute_units", 96}, {"l2_bytes", 6 * kMiB}, {"infinity_cache_bytes", 96 * kMiB},
      {"total_memory_bytes", 48 * kGiB}, {"memory_bandwidth_gbps", 864},
      {"memory_bus_width_bits", 384}, {"sm_clock_mhz", 2495}, {"peak_fp32_gflops", 61300}}},
    {"Radeon PRO W7800", {"W7800"}, {}, "AMD", "RDNA3",
     {AMD_RDNA, {"compute_units", 70}, {"l2_bytes", 6 * kMiB}, {"infinity_cache_bytes", 64 * kMiB},
      {"total_memory_bytes", 32 * kGiB}, {"memory_bandwidth_gbps", 576},
      {"memory_bus_width_bits", 256}, {"sm_clock_mhz", 2499}, {"peak_fp32_gflops", 45200}}},
    {"Radeon PRO W6800", {"W6800"}, {}, "AMD", "RDNA2",
     {AMD_RDNA, {"compute_units", 60}, {"l2_bytes", 4 * kMiB},
      {"infinity_cache_bytes", 128 * kMiB}, {"total_memory_bytes", 32 * kGiB},
      {"memory_bandwidth_gbps", 512}, {"memory_bus_width_bits", 256}, {"sm_clock_mhz", 2320},
      {"peak_fp32_gflops", 17830}}},
    {"Radeon PRO W6600", {"W6600"}, {}, "AMD", "RDNA2",
     {AMD_RDNA, {"compute_units", 28}, {"l2_bytes", 2 * kMiB}, {"infinity_cache_bytes", 32 * kMiB},
      {"total_memory_bytes", 8 * kGiB}, {"memory_bandwidth_gbps", 224},
      {"memory_bus_width_bits", 128}, {"sm_clock_mhz", 2903}, {"peak_fp32_gflops", 10400}}},
};

#undef NVIDIA_COMMON
#undef NVIDIA_GA10X
#undef NVIDIA_GA100
#undef NVIDIA_GH100
#undef AMD_CDNA
#undef AMD_RDNA

// Upper case, letters and digits only: "NVIDIA A100-PCIE-40GB" -> "NVIDIAA100PCIE40GB".
std::string normalised(std::string_view name) {
  std::string out;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool matches(const KnownDevice& d, const std::string& name) {
  for (const char* part : d.all_of)
    if (name.find(part) == std::string::npos) return false;
  for (const char* part : d.none_of)
    if (name.find(part) != std::string::npos) return false;
  return true;
}

// Counts, bytes and clocks are integers; bandwidths and rates keep a fraction when they have one.
Value fact_as_value(double x) {
  const auto whole = static_cast<std::int64_t>(x);
  if (static_cast<double>(whole) == x) return Value(whole);
  return Value(x);
}

}  // namespace

std::optional<DeviceInfo> known_recorded_device(std::string_view recorded_name) {
  const std::string name = normalised(recorded_name);
  for (const KnownDevice& d : kDevices) {
    if (!matches(d, name)) continue;
    DeviceInfo info;
    info.name = std::string(recorded_name);
    info.facts.set("vendor", Value(std::string(d.vendor)));
    info.facts.set("architecture", Value(std::string(d.architecture)));
    for (const auto& [fact, value] : d.facts) info.facts.set(fact, fact_as_value(value));
    return info;
  }
  return std::nullopt;
}

std::vector<std::string> known_recorded_device_models() {
  std::vector<std::string> out;
  for (const KnownDevice& d : kDevices) out.emplace_back(d.model);
  return out;
}

}  // namespace tuna::sim
