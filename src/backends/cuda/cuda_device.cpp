#include "backends/cuda/cuda_device.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdlib>

#include "backends/cuda/nvml_api.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

// The shared memory a block gets without opting in (CUDA's static limit on every GPU since
// Kepler); larger dynamic amounts need CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.
constexpr std::int64_t kDefaultSharedPerBlock = 48 * 1024;

class AttributeReader {
 public:
  AttributeReader(const DriverApi& driver, CUdevice device) : driver_(driver), device_(device) {}
  // The attribute, or `fallback` when this driver does not know it.
  std::int64_t get(CUdevice_attribute attribute, std::int64_t fallback = 0) const {
    int value = 0;
    if (driver_.device_get_attribute(&value, attribute, device_) != CUDA_SUCCESS) return fallback;
    return value;
  }

 private:
  const DriverApi& driver_;
  CUdevice device_;
};

std::string device_name(const DriverApi& driver, CUdevice device) {
  std::array<char, 256> name{};
  if (driver.device_get_name(name.data(), static_cast<int>(name.size()), device) != CUDA_SUCCESS)
    return "unknown NVIDIA GPU";
  return name.data();
}

std::string pci_bus_id(const DriverApi& driver, CUdevice device) {
  std::array<char, 64> id{};
  if (driver.device_get_pci_bus_id(id.data(), static_cast<int>(id.size()), device) != CUDA_SUCCESS)
    return {};
  return id.data();
}

std::string driver_version_text(const DriverApi& driver) {
  int version = 0;
  if (driver.driver_get_version(&version) != CUDA_SUCCESS) return "unknown";
  // 12040 -> "12.4": the CUDA version the driver supports.
  return fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

void add_nvml_facts(Env& facts, const NvmlReadings& nvml) {
  if (nvml.sm_clock_mhz) facts.set("current_sm_clock_mhz", std::int64_t{*nvml.sm_clock_mhz});
  if (nvml.memory_clock_mhz)
    facts.set("current_memory_clock_mhz", std::int64_t{*nvml.memory_clock_mhz});
  if (nvml.temperature_c) facts.set("temperature_c", std::int64_t{*nvml.temperature_c});
  if (nvml.power_w) facts.set("power_w", *nvml.power_w);
  if (nvml.power_limit_w) facts.set("power_limit_w", *nvml.power_limit_w);
}

}  // namespace

int device_index_from_environment() {
  const char* text = std::getenv("TUNA_CUDA_DEVICE");
  if (text == nullptr || *text == '\0') return 0;
  std::string_view view(text);
  int index = -1;
  auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), index);
  if (ec != std::errc() || end != view.data() + view.size() || index < 0)
    throw UserError(fmt::format(
        "TUNA_CUDA_DEVICE='{}' is not a device index. Set it to 0, 1, ... (the CUDA device "
        "order; `tuna devices` lists the one chosen), or unset it for device 0.",
        text));
  return index;
}

CUdevice open_device(const DriverApi& driver, int index) {
  CUresult init = driver.init(0);
  if (init == CUDA_ERROR_NO_DEVICE)
    throw UserError(
        "cuda backend: the NVIDIA driver is installed but finds no CUDA device. Check that the "
        "GPU is visible (nvidia-smi), that CUDA_VISIBLE_DEVICES does not hide it, and in a "
        "container that it was started with the GPU exposed (e.g. docker --gpus all).");
  if (init == CUDA_ERROR_SYSTEM_DRIVER_MISMATCH || init == CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE)
    throw UserError(fmt::format(
        "cuda backend: the NVIDIA driver does not match this system or device ({}: {}). Update the "
        "driver.",
        driver.error_name(init), driver.error_string(init)));
  if (init != CUDA_SUCCESS)
    throw UserError(fmt::format(
        "cuda backend: the NVIDIA driver failed to initialise ({}: {}). Check the driver with "
        "nvidia-smi; a reboot or reloading the nvidia kernel module may be needed.",
        driver.error_name(init), driver.error_string(init)));
  int count = 0;
  CUresult counted = driver.device_get_count(&count);
  if (counted != CUDA_SUCCESS || count == 0)
    throw UserError(
        "cuda backend: no CUDA device found. Check nvidia-smi and CUDA_VISIBLE_DEVICES.");
  if (index >= count)
    throw UserError(fmt::format(
        "cuda backend: TUNA_CUDA_DEVICE={} but CUDA sees only {} device(s) (0 to {}). Choose "
        "one of those.",
        index, count, count - 1));
  CUdevice device = 0;
  CUresult got = driver.device_get(&device, index);
  if (got != CUDA_SUCCESS)
    throw UserError(fmt::format("cuda backend: cannot open CUDA device {} ({}: {}).", index,
                                driver.error_name(got), driver.error_string(got)));
  return device;
}

int fp32_lanes_per_sm(int major, int minor) {
  // From NVIDIA's per-architecture SM descriptions: GP100, Volta, Turing and GA100 have 64
  // FP32 lanes per SM; Maxwell, the other Pascals, GA10x, Ada, Hopper and Blackwell have 128.
  if (major == 5) return 128;
  if (major == 6) return minor == 0 ? 64 : 128;
  if (major == 7) return 64;
  if (major == 8) return minor == 0 ? 64 : 128;
  if (major == 9 || major == 10 || major == 11 || major == 12) return 128;
  return 0;
}

double theoretical_bandwidth_gbps(double memory_clock_mhz, std::int64_t bus_width_bits) {
  return 2.0 * memory_clock_mhz * 1e6 * static_cast<double>(bus_width_bits) / 8.0 / 1e9;
}

DeviceInfo query_device_info(const DriverApi& driver, CUdevice device, int index) {
  AttributeReader attr(driver, device);
  const std::int64_t major = attr.get(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  const std::int64_t minor = attr.get(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  const std::int64_t sm_count = attr.get(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
  const std::string bus_id = pci_bus_id(driver, device);
  const NvmlReadings nvml = bus_id.empty() ? NvmlReadings{} : read_nvml(bus_id);

  // The clock attributes are in kHz; where a driver no longer reports them, NVML's maximum
  // clocks are the same numbers.
  double sm_clock_mhz = static_cast<double>(attr.get(CU_DEVICE_ATTRIBUTE_CLOCK_RATE)) / 1000.0;
  if (sm_clock_mhz <= 0 && nvml.max_sm_clock_mhz) sm_clock_mhz = *nvml.max_sm_clock_mhz;
  double memory_clock_mhz =
      static_cast<double>(attr.get(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE)) / 1000.0;
  if (memory_clock_mhz <= 0 && nvml.max_memory_clock_mhz)
    memory_clock_mhz = *nvml.max_memory_clock_mhz;
  const std::int64_t bus_width = attr.get(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);

  std::size_t total_memory = 0;
  if (driver.device_total_mem(&total_memory, device) != CUDA_SUCCESS) total_memory = 0;

  DeviceInfo info;
  info.backend = "cuda";
  info.name = device_name(driver, device);
  const std::string driver_version = driver_version_text(driver);
  info.id = fmt::format("{} | sm_{}{} | driver CUDA {}", info.name, major, minor, driver_version);
  Env& f = info.facts;
  f.set("name", info.name);
  f.set("index", std::int64_t{index});
  // How many devices CUDA sees: what `--devices all` expands to.
  int visible = 0;
  if (driver.device_get_count(&visible) != CUDA_SUCCESS) visible = 1;
  f.set("device_count", std::int64_t{visible});
  f.set("pci_bus_id", bus_id);
  f.set("compute_capability", major * 10 + minor);
  f.set("compute_capability_major", major);
  f.set("compute_capability_minor", minor);
  f.set("sm_count", sm_count);
  f.set("max_threads_per_block", attr.get(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
  f.set("max_threads_per_sm", attr.get(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR));
  f.set("max_blocks_per_sm", attr.get(CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR));
  f.set("max_block_dim_x", attr.get(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X));
  f.set("max_block_dim_y", attr.get(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y));
  f.set("max_block_dim_z", attr.get(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z));
  f.set("max_grid_dim_x", attr.get(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X));
  f.set("max_grid_dim_y", attr.get(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y));
  f.set("max_grid_dim_z", attr.get(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z));
  f.set("registers_per_block", attr.get(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK));
  f.set("registers_per_sm", attr.get(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR));
  f.set("shared_memory_per_block",
        attr.get(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, kDefaultSharedPerBlock));
  f.set("shared_memory_per_block_optin",
        attr.get(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, kDefaultSharedPerBlock));
  f.set("shared_memory_per_sm", attr.get(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR));
  f.set("reserved_shared_memory_per_block",
        attr.get(CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK));
  f.set("l2_bytes", attr.get(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE));
  f.set("warp_size", attr.get(CU_DEVICE_ATTRIBUTE_WARP_SIZE, 32));
  f.set("sm_clock_mhz", sm_clock_mhz);
  f.set("memory_clock_mhz", memory_clock_mhz);
  f.set("memory_bus_width_bits", bus_width);
  if (memory_clock_mhz > 0 && bus_width > 0)
    f.set("memory_bandwidth_gbps", theoretical_bandwidth_gbps(memory_clock_mhz, bus_width));
  const int lanes = fp32_lanes_per_sm(static_cast<int>(major), static_cast<int>(minor));
  if (lanes > 0 && sm_clock_mhz > 0)
    // One fused multiply-add (2 FLOPs) per lane per clock.
    f.set("peak_fp32_gflops",
          static_cast<double>(sm_count) * lanes * 2.0 * sm_clock_mhz / 1000.0);
  f.set("total_memory_bytes", static_cast<std::int64_t>(total_memory));
  f.set("driver_version", driver_version);
  add_nvml_facts(f, nvml);
  return info;
}

}  // namespace tuna::cuda
