#include "base/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tuna/errors.hpp"

namespace tuna {

namespace {

std::string& installed_tuna_exe() {
  static std::string path;
  return path;
}

}  // namespace

void register_installed_tuna_exe(const char* path) { installed_tuna_exe() = path ? path : ""; }

std::filesystem::path default_tuna_exe() {
  if (const char* env = std::getenv("TUNA_EXE"); env && *env) return env;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const bool self_known = !ec;
  if (self_known && self.filename() == "tuna") return self;
  // An application built against an installed package: the tuna installed with it.
  if (const std::string& installed = installed_tuna_exe();
      !installed.empty() && std::filesystem::is_regular_file(installed, ec)) {
    return installed;
  }
  if (self_known) {
    for (auto dir : {self.parent_path(), self.parent_path().parent_path()}) {
      if (std::filesystem::is_regular_file(dir / "tuna", ec)) return dir / "tuna";
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
