// `tuna devices`: the backends in this binary and the device each one finds. Each backend is
// asked through a bench worker, so tuna itself never opens a device.
#include <fmt/format.h>

#include "cli/common.hpp"
#include "base/paths.hpp"
#include "eval/bench_worker.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

namespace tuna::cli {
namespace {

struct DevicesFlags {
  bool facts = false;
  std::string cache_dir;
};

int run_devices(const DevicesFlags& f) {
  std::filesystem::path cache =
      f.cache_dir.empty() ? default_cache_dir() : std::filesystem::path(f.cache_dir);
  int found = 0;
  for (const std::string& backend : backend_names()) {
    eval::BenchWorker worker({default_tuna_exe(), backend,
                              cache / "logs" / fmt::format("devices-{}.log", backend), {}});
    try {
      DeviceInfo device = worker.start(std::chrono::milliseconds(30000));
      ++found;
      fmt::print("{:<8} {}\n", backend, device.name);
      if (f.facts) {
        for (const auto& [name, value] : device.facts.values()) {
          fmt::print("         device.{} = {}\n", name, value.to_string());
        }
      }
    } catch (const UserError& e) {
      fmt::print("{:<8} unavailable: {}\n", backend, e.what());
    }
  }
  return found ? kExitOk : kExitNoCorrectConfig;
}

}  // namespace

void add_devices_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<DevicesFlags>();
  CLI::App* cmd = app.add_subcommand("devices", "list the backends and the devices they find");
  cmd->footer("Example:\n  tuna devices --facts   # also the device.* names specs can use");
  cmd->add_flag("--facts", flags->facts, "print every device fact");
  cmd->add_option("--cache-dir", flags->cache_dir, "where worker logs go");
  cmd->callback([flags, &exit_code] { exit_code = run_devices(*flags); });
}

}  // namespace tuna::cli
