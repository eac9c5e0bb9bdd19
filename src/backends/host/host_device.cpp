#include "backends/host/host_device.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tuna::host {
namespace {

std::string trim(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string read_first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return trim(line);
}

// Values of the first cpuinfo entries with these keys (x86 names first, then ARM's).
struct CpuInfoText {
  std::string model;
  std::string flags;
};

CpuInfoText read_cpuinfo() {
  CpuInfoText info;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(std::string_view(line).substr(0, colon));
    std::string value = trim(std::string_view(line).substr(colon + 1));
    if (info.model.empty() && (key == "model name" || key == "Model" || key == "cpu model"))
      info.model = value;
    if (info.flags.empty() && (key == "flags" || key == "Features")) info.flags = value;
    if (!info.model.empty() && !info.flags.empty()) break;
  }
  return info;
}

std::string machine_name() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown CPU";
  return fmt::format("{} CPU", u.machine);
}

// sysfs describes each cache of cpu0 in index<N>/{level,type,size}.
void read_sysfs_caches(CpuFacts& facts) {
  namespace fs = std::filesystem;
  const fs::path root = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.path().filename().string().rfind("index", 0) != 0) continue;
    std::string level = read_first_line(entry.path() / "level");
    std::string type = read_first_line(entry.path() / "type");
    std::int64_t size = parse_cache_size(read_first_line(entry.path() / "size"));
    if (level == "1" && type == "Data") facts.l1d_bytes = size;
    if (level == "2" && type != "Instruction") facts.l2_bytes = size;
    if (level == "3" && type != "Instruction") facts.l3_bytes = size;
  }
}

std::int64_t sysconf_or_zero(int name) {
  long value = ::sysconf(name);
  return value > 0 ? value : 0;
}

// glibc answers these from cpuid on x86; used only where sysfs is missing (some containers).
void fill_caches_from_sysconf(CpuFacts& facts) {
#ifdef _SC_LEVEL1_DCACHE_SIZE
  if (facts.l1d_bytes == 0) facts.l1d_bytes = sysconf_or_zero(_SC_LEVEL1_DCACHE_SIZE);
  if (facts.l2_bytes == 0) facts.l2_bytes = sysconf_or_zero(_SC_LEVEL2_CACHE_SIZE);
  if (facts.l3_bytes == 0) facts.l3_bytes = sysconf_or_zero(_SC_LEVEL3_CACHE_SIZE);
#else
  (void)facts;
#endif
}

}  // namespace

std::int64_t parse_cache_size(std::string_view text) {
  std::string t = trim(text);
  if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0]))) return 0;
  std::size_t digits = 0;
  std::int64_t value = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) {
    value = value * 10 + (t[digits] - '0');
    ++digits;
  }
  std::string unit = trim(std::string_view(t).substr(digits));
  if (unit.empty() || unit == "B") return value;
  switch (std::toupper(static_cast<unsigned char>(unit[0]))) {
    case 'K':
      return value << 10;
    case 'M':
      return value << 20;
    case 'G':
      return value << 30;
    default:
      return 0;
  }
}

std::int64_t simd_width_from_flags(std::string_view flags) {
  std::istringstream words{std::string(flags)};
  bool avx = false, avx512 = false;
  for (std::string word; words >> word;) {
    if (word == "avx512f") avx512 = true;
    if (word == "avx" || word == "avx2") avx = true;
  }
  // SSE and NEON (and anything unknown) are 128 bits wide.
  return avx512 ? 512 : avx ? 256 : 128;
}

CpuFacts read_cpu_facts() {
  CpuFacts facts;
  CpuInfoText cpuinfo = read_cpuinfo();
  facts.model = cpuinfo.model.empty() ? machine_name() : cpuinfo.model;
  facts.simd_width_bits = simd_width_from_flags(cpuinfo.flags);
  facts.cores = std::max<std::int64_t>(1, sysconf_or_zero(_SC_NPROCESSORS_ONLN));
  facts.page_size = std::max<std::int64_t>(1, sysconf_or_zero(_SC_PAGESIZE));
  facts.memory_bytes = sysconf_or_zero(_SC_PHYS_PAGES) * facts.page_size;
  read_sysfs_caches(facts);
  fill_caches_from_sysconf(facts);
  return facts;
}

DeviceInfo make_host_device_info(const CpuFacts& cpu, const std::string& compiler_identity) {
  DeviceInfo info;
  info.backend = "host";
  info.name = fmt::format("{} ({} cores)", cpu.model, cpu.cores);
  info.id = fmt::format("{} | {}", info.name, compiler_identity);
  info.facts.set("cores", cpu.cores);
  info.facts.set("l1d_bytes", cpu.l1d_bytes);
  info.facts.set("l2_bytes", cpu.l2_bytes);
  info.facts.set("l3_bytes", cpu.l3_bytes);
  info.facts.set("simd_width_bits", cpu.simd_width_bits);
  info.facts.set("memory_bytes", cpu.memory_bytes);
  info.facts.set("page_size", cpu.page_size);
  info.facts.set("compiler", compiler_identity);
  return info;
}

}  // namespace tuna::host
