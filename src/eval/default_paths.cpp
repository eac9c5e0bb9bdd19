// Where tuna finds its own binary (to start child processes) and keeps its cache.
#include <cstdlib>
#include <filesystem>

#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"

namespace tuna {

std::filesystem::path default_tuna_exe() {
  if (const char* env = std::getenv("TUNA_EXE"); env && *env) return env;
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (self.filename() == "tuna") return self;
    for (auto dir : {self.parent_path(), self.parent_path().parent_path()}) {
      if (std::filesystem::exists(dir / "tuna")) return dir / "tuna";
    }
  }
  throw UserError("cannot find the tuna binary to start child processes; set TUNA_EXE to its path");
}

std::filesystem::path default_cache_dir() {
  if (const char* env = std::getenv("TUNA_CACHE_DIR"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "tuna";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : "/tmp") / ".cache" / "tuna";
}

}  // namespace tuna
