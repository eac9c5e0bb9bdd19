#include "backends/opencl/opencl_device.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "backends/opencl/cl_handles.hpp"
#include "base/ascii_text.hpp"
#include "base/env_var.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

// NVIDIA's cl_nv_device_attribute_query (values from its extension specification).
constexpr cl_device_info kComputeCapabilityMajorNv = 0x4000;
constexpr cl_device_info kComputeCapabilityMinorNv = 0x4001;
constexpr cl_device_info kWarpSizeNv = 0x4003;

template <class T>
T device_number(const OpenClApi& api, cl_device_id device, cl_device_info what) {
  T value{};
  if (api.get_device_info(device, what, sizeof value, &value, nullptr) != CL_SUCCESS) return T{};
  return value;
}

std::int64_t as_int(std::uint64_t value) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(value, INT64_MAX));
}

std::string type_name(cl_device_type type) {
  if (type & CL_DEVICE_TYPE_GPU) return "gpu";
  if (type & CL_DEVICE_TYPE_CPU) return "cpu";
  if (type & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
  return "other";
}

std::string candidate_list(const std::vector<Candidate>& candidates) {
  std::string text;
  for (const Candidate& c : candidates)
    text += fmt::format("\n  platform {} ({}), device {}: {}", c.choice.platform_index,
                        c.platform_name, c.choice.device_index, c.device_name);
  return text;
}

// The preferred work-group size multiple of a trivial kernel: what OpenCL offers in place of a
// warp size. 0 when the probe cannot be built.
std::int64_t probe_work_group_multiple(const OpenClApi& api, cl_device_id device) {
  try {
    Context context = make_context(api, device);
    const char* source = "__kernel void tuna_probe(__global int* p) { p[get_global_id(0)] = 1; }";
    cl_int status = CL_SUCCESS;
    Program program(api.create_program_with_source(context.get(), 1, &source, nullptr, &status),
                    api.release_program);
    if (status != CL_SUCCESS || build(api, program.get(), device, "") != CL_SUCCESS) return 0;
    Kernel kernel(api.create_kernel(program.get(), "tuna_probe", &status), api.release_kernel);
    if (status != CL_SUCCESS) return 0;
    std::size_t multiple = 0;
    if (api.get_kernel_work_group_info(kernel.get(), device,
                                       CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                       sizeof multiple, &multiple, nullptr) != CL_SUCCESS)
      return 0;
    return static_cast<std::int64_t>(multiple);
  } catch (const ClFailure&) {
    return 0;
  }
}

}  // namespace

std::string device_string(const OpenClApi& api, cl_device_id device, cl_device_info what) {
  std::size_t size = 0;
  if (api.get_device_info(device, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string text(size, '\0');
  if (api.get_device_info(device, what, size, text.data(), nullptr) != CL_SUCCESS) return {};
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string platform_string(const OpenClApi& api, cl_platform_id platform,
                            cl_platform_info what) {
  std::size_t size = 0;
  if (api.get_platform_info(platform, what, 0, nullptr, &size) != CL_SUCCESS || size == 0)
    return {};
  std::string text(size, '\0');
  if (api.get_platform_info(platform, what, size, text.data(), nullptr) != CL_SUCCESS) return {};
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.pop_back();
  return text;
}

bool selector_matches(std::string_view selector, int index, std::string_view name) {
  if (selector.empty()) return true;
  int number = -1;
  auto [end, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), number);
  if (ec == std::errc() && end == selector.data() + selector.size()) return number == index;
  return ascii_lower(name).find(ascii_lower(selector)) != std::string::npos;
}

Candidate choose_device(const std::vector<Candidate>& candidates, std::string_view platform,
                        std::string_view device) {
  std::vector<const Candidate*> matching;
  for (const Candidate& c : candidates)
    if (selector_matches(platform, c.choice.platform_index, c.platform_name) &&
        selector_matches(device, c.choice.device_index, c.device_name))
      matching.push_back(&c);
  if (matching.empty())
    throw UserError(fmt::format(
        "opencl backend: no OpenCL device matches TUNA_OPENCL_PLATFORM='{}' and "
        "TUNA_OPENCL_DEVICE='{}'. Each takes an index or a part of the name (any case); the "
        "devices found are:{}",
        platform, device, candidate_list(candidates)));
  if (device.empty())
    for (const Candidate* c : matching)
      if (c->is_gpu) return *c;
  return *matching.front();
}

std::vector<Candidate> list_devices(const OpenClApi& api) {
  cl_uint platform_count = 0;
  cl_int status = api.get_platform_ids(0, nullptr, &platform_count);
  if (status != CL_SUCCESS && status != -1001)  // -1001: no platform (cl_khr_icd)
    throw UserError(fmt::format("opencl backend: the ICD loader fails to list platforms ({}).",
                                error_name(status)));
  std::vector<cl_platform_id> platforms(platform_count);
  if (platform_count > 0) api.get_platform_ids(platform_count, platforms.data(), nullptr);
  std::vector<Candidate> candidates;
  for (cl_uint p = 0; p < platform_count; ++p) {
    cl_uint device_count = 0;
    if (api.get_device_ids(platforms[p], CL_DEVICE_TYPE_ALL, 0, nullptr, &device_count) !=
            CL_SUCCESS ||
        device_count == 0)
      continue;
    std::vector<cl_device_id> devices(device_count);
    api.get_device_ids(platforms[p], CL_DEVICE_TYPE_ALL, device_count, devices.data(), nullptr);
    const std::string platform_name = platform_string(api, platforms[p], CL_PLATFORM_NAME);
    for (cl_uint d = 0; d < device_count; ++d) {
      Candidate c;
      c.choice = {platforms[p], devices[d], static_cast<int>(p), static_cast<int>(d)};
      c.platform_name = platform_name;
      c.device_name = device_string(api, devices[d], CL_DEVICE_NAME);
      c.is_gpu = (device_number<cl_device_type>(api, devices[d], CL_DEVICE_TYPE) &
                  CL_DEVICE_TYPE_GPU) != 0;
      candidates.push_back(std::move(c));
    }
  }
  if (candidates.empty())
    throw UserError(fmt::format(
        "opencl backend: the ICD loader finds no OpenCL device ({} platform(s)). Install a "
        "driver: PoCL for the CPU (Debian: apt-get install pocl-opencl-icd) or the GPU vendor's; "
        "for a driver installed without its .icd file (NVIDIA in containers) set "
        "TUNA_OPENCL_VENDOR_LIBRARY to its library (e.g. libnvidia-opencl.so.1).",
        platform_count));
  return candidates;
}

DeviceChoice select_device(const OpenClApi& api) {
  return choose_device(list_devices(api), env_or_empty("TUNA_OPENCL_PLATFORM"),
                       env_or_empty("TUNA_OPENCL_DEVICE"))
      .choice;
}

DeviceInfo query_device_info(const OpenClApi& api, const DeviceChoice& choice) {
  const cl_device_id dev = choice.device;
  auto u32 = [&](cl_device_info what) {
    return std::int64_t{device_number<cl_uint>(api, dev, what)};
  };
  auto u64 = [&](cl_device_info what) { return as_int(device_number<cl_ulong>(api, dev, what)); };
  auto size = [&](cl_device_info what) {
    return as_int(device_number<std::size_t>(api, dev, what));
  };

  DeviceInfo info;
  info.backend = "opencl";
  info.name = device_string(api, dev, CL_DEVICE_NAME);
  const std::string vendor = device_string(api, dev, CL_DEVICE_VENDOR);
  const std::string driver = device_string(api, dev, CL_DRIVER_VERSION);
  const std::string version = device_string(api, dev, CL_DEVICE_VERSION);
  const std::string platform_name = platform_string(api, choice.platform, CL_PLATFORM_NAME);
  const std::string platform_version = platform_string(api, choice.platform, CL_PLATFORM_VERSION);
  info.id = fmt::format("{} | platform {} ({}) | driver {} | {}", info.name, platform_name,
                        platform_version, driver, version);
  const cl_device_type type = device_number<cl_device_type>(api, dev, CL_DEVICE_TYPE);
  const bool nvidia = ascii_lower(vendor).find("nvidia") != std::string::npos;

  Env& f = info.facts;
  f.set("name", info.name);
  f.set("vendor", vendor);
  f.set("driver_version", driver);
  f.set("opencl_version", version);
  f.set("opencl_c_version", device_string(api, dev, CL_DEVICE_OPENCL_C_VERSION));
  f.set("platform_name", platform_name);
  f.set("platform_version", platform_version);
  f.set("platform_index", std::int64_t{choice.platform_index});
  f.set("index", std::int64_t{choice.device_index});
  // Devices on this platform: what `--devices all` expands to (indices within the platform).
  cl_uint on_platform = 0;
  if (api.get_device_ids(choice.platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &on_platform) != CL_SUCCESS)
    on_platform = 1;
  f.set("device_count", std::int64_t{on_platform});
  f.set("device_type", type_name(type));
  f.set("compute_units", u32(CL_DEVICE_MAX_COMPUTE_UNITS));
  f.set("max_work_group_size", size(CL_DEVICE_MAX_WORK_GROUP_SIZE));
  std::size_t item_sizes[3] = {0, 0, 0};
  api.get_device_info(dev, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof item_sizes, item_sizes, nullptr);
  const char* axes[3] = {"x", "y", "z"};
  for (int d = 0; d < 3; ++d) {
    f.set(fmt::format("max_work_item_size_{}", axes[d]), as_int(item_sizes[d]));
    f.set(fmt::format("max_block_dim_{}", axes[d]), as_int(item_sizes[d]));
  }
  f.set("local_memory_bytes", u64(CL_DEVICE_LOCAL_MEM_SIZE));
  f.set("local_memory_is_dedicated",
        device_number<cl_device_local_mem_type>(api, dev, CL_DEVICE_LOCAL_MEM_TYPE) == CL_LOCAL);
  f.set("global_memory_bytes", u64(CL_DEVICE_GLOBAL_MEM_SIZE));
  f.set("max_allocation_bytes", u64(CL_DEVICE_MAX_MEM_ALLOC_SIZE));
  f.set("constant_buffer_bytes", u64(CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE));
  f.set("global_cache_bytes", u64(CL_DEVICE_GLOBAL_MEM_CACHE_SIZE));
  f.set("global_cacheline_bytes", u32(CL_DEVICE_GLOBAL_MEM_CACHELINE_SIZE));
  f.set("max_clock_mhz", u32(CL_DEVICE_MAX_CLOCK_FREQUENCY));
  const struct {
    const char* name;
    cl_device_info what;
  } widths[] = {{"char", CL_DEVICE_PREFERRED_VECTOR_WIDTH_CHAR},
                {"short", CL_DEVICE_PREFERRED_VECTOR_WIDTH_SHORT},
                {"int", CL_DEVICE_PREFERRED_VECTOR_WIDTH_INT},
                {"long", CL_DEVICE_PREFERRED_VECTOR_WIDTH_LONG},
                {"float", CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT},
                {"double", CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE},
                {"half", CL_DEVICE_PREFERRED_VECTOR_WIDTH_HALF}};
  for (const auto& w : widths) f.set(fmt::format("preferred_vector_width_{}", w.name), u32(w.what));

  // The CUDA names of the same quantities, so one constraint serves both backends.
  f.set("max_threads_per_block", size(CL_DEVICE_MAX_WORK_GROUP_SIZE));
  f.set("shared_memory_per_block", u64(CL_DEVICE_LOCAL_MEM_SIZE));
  f.set("sm_count", u32(CL_DEVICE_MAX_COMPUTE_UNITS));
  f.set("total_memory_bytes", u64(CL_DEVICE_GLOBAL_MEM_SIZE));
  f.set("sm_clock_mhz", u32(CL_DEVICE_MAX_CLOCK_FREQUENCY));
  std::int64_t warp = 0;
  if (nvidia) {
    warp = u32(kWarpSizeNv);
    const std::int64_t major = u32(kComputeCapabilityMajorNv);
    if (major > 0) {
      const std::int64_t minor = u32(kComputeCapabilityMinorNv);
      f.set("compute_capability", major * 10 + minor);
      f.set("compute_capability_major", major);
      f.set("compute_capability_minor", minor);
    }
  }
  if (warp <= 0) warp = probe_work_group_multiple(api, dev);
  if (warp <= 0) warp = nvidia ? 32 : 1;
  f.set("warp_size", warp);
  return info;
}

}  // namespace tuna::opencl
