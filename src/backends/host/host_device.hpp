#pragma once
// What the host backend knows about the CPU it runs on: read from /proc/cpuinfo, sysfs and
// sysconf, never from a hard-coded table.
#include <cstdint>
#include <string>
#include <string_view>

#include "tuna/device.hpp"

namespace tuna::host {

struct CpuFacts {
  std::string model;           // "AMD EPYC 7B13", or the machine name when cpuinfo has none
  std::int64_t cores = 0;      // online logical CPUs
  std::int64_t l1d_bytes = 0;  // per core; 0 when unknown
  std::int64_t l2_bytes = 0;
  std::int64_t l3_bytes = 0;  // the L3 slice cpu0 shares (a CCX on AMD); 0 when none
  std::int64_t simd_width_bits = 128;
  std::int64_t memory_bytes = 0;
  std::int64_t page_size = 4096;
};

CpuFacts read_cpu_facts();

// The DeviceInfo of this CPU; `compiler_identity` (the first line of `c++ --version`) is part
// of the id because the same CPU with another compiler gives other timings.
DeviceInfo make_host_device_info(const CpuFacts& cpu, const std::string& compiler_identity);

// "32K" -> 32768, "1M" -> 1048576, "512" -> 512; 0 for text that is not a size.
std::int64_t parse_cache_size(std::string_view text);
// Widest vector unit named in a cpuinfo `flags` line: avx512f -> 512, avx/avx2 -> 256, else 128.
std::int64_t simd_width_from_flags(std::string_view flags);

}  // namespace tuna::host
