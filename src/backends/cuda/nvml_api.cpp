#include "backends/cuda/nvml_api.hpp"

#include <vector>

#include "backends/common/dynamic_library.hpp"

namespace tuna::cuda {
namespace {

// From NVML's C ABI: results are ints (0 = success), devices are opaque pointers, and the clock
// and sensor selectors are small integers.
using NvmlReturn = int;
using NvmlDevice = struct NvmlDeviceOpaque*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr int kClockSm = 1;
constexpr int kClockMemory = 2;
constexpr int kTemperatureGpu = 0;

struct NvmlFunctions {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  NvmlReturn (*handle_by_pci_bus_id)(const char*, NvmlDevice*) = nullptr;
  NvmlReturn (*clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*max_clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*temperature)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*power_usage)(NvmlDevice, unsigned*) = nullptr;
  NvmlReturn (*power_limit)(NvmlDevice, unsigned*) = nullptr;
};

// nvmlInit_v2 ... nvmlShutdown, paired.
class NvmlSession {
 public:
  explicit NvmlSession(const NvmlFunctions& f) : f_(f) { ok_ = f_.init() == kNvmlSuccess; }
  NvmlSession(const NvmlSession&) = delete;
  NvmlSession& operator=(const NvmlSession&) = delete;
  ~NvmlSession() {
    if (ok_) f_.shutdown();
  }
  bool ok() const { return ok_; }

 private:
  const NvmlFunctions& f_;
  bool ok_ = false;
};

std::optional<unsigned> read_unsigned(NvmlReturn (*fn)(NvmlDevice, int, unsigned*),
                                      NvmlDevice device, int selector) {
  unsigned value = 0;
  if (fn == nullptr || fn(device, selector, &value) != kNvmlSuccess) return std::nullopt;
  return value;
}

std::optional<double> read_watts(NvmlReturn (*fn)(NvmlDevice, unsigned*), NvmlDevice device) {
  unsigned milliwatts = 0;
  if (fn == nullptr || fn(device, &milliwatts) != kNvmlSuccess) return std::nullopt;
  return milliwatts / 1000.0;
}

}  // namespace

NvmlReadings read_nvml(const std::string& pci_bus_id) {
  NvmlReadings readings;
  backends::OpenedLibrary opened = backends::open_first({"libnvidia-ml.so.1"});
  if (!opened.library.valid()) return readings;
  backends::SymbolTable symbols(opened.library);
  NvmlFunctions f;
  f.init = symbols.get<decltype(f.init)>("nvmlInit_v2");
  f.shutdown = symbols.get<decltype(f.shutdown)>("nvmlShutdown");
  f.handle_by_pci_bus_id =
      symbols.get<decltype(f.handle_by_pci_bus_id)>("nvmlDeviceGetHandleByPciBusId_v2");
  if (!symbols.missing().empty()) return readings;
  // The readings are optional one by one: a reading the library lacks is left out.
  f.clock_info = symbols.get<decltype(f.clock_info)>("nvmlDeviceGetClockInfo");
  f.max_clock_info = symbols.get<decltype(f.max_clock_info)>("nvmlDeviceGetMaxClockInfo");
  f.temperature = symbols.get<decltype(f.temperature)>("nvmlDeviceGetTemperature");
  f.power_usage = symbols.get<decltype(f.power_usage)>("nvmlDeviceGetPowerUsage");
  f.power_limit = symbols.get<decltype(f.power_limit)>("nvmlDeviceGetEnforcedPowerLimit");
  NvmlSession session(f);
  if (!session.ok()) return readings;
  NvmlDevice device = nullptr;
  if (f.handle_by_pci_bus_id(pci_bus_id.c_str(), &device) != kNvmlSuccess) return readings;
  readings.sm_clock_mhz = read_unsigned(f.clock_info, device, kClockSm);
  readings.memory_clock_mhz = read_unsigned(f.clock_info, device, kClockMemory);
  readings.max_sm_clock_mhz = read_unsigned(f.max_clock_info, device, kClockSm);
  readings.max_memory_clock_mhz = read_unsigned(f.max_clock_info, device, kClockMemory);
  readings.temperature_c = read_unsigned(f.temperature, device, kTemperatureGpu);
  readings.power_w = read_watts(f.power_usage, device);
  readings.power_limit_w = read_watts(f.power_limit, device);
  return readings;
}

}  // namespace tuna::cuda
