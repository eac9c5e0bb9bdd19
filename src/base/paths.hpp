#pragma once
// Where tuna finds its own binary (to start child processes) and keeps its cache.
#include <filesystem>

namespace tuna {

// The tuna binary to run as a child: $TUNA_EXE, else this process's own executable when it is
// tuna, else the registered installed tuna when it exists, else `tuna` next to this executable
// (or one folder up). Throws UserError when none exists.
std::filesystem::path default_tuna_exe();
// Records where the installed tuna binary is. An application built against the installed CMake
// package calls it before main, from a source that package's tunaConfig.cmake adds to it
// (cmake/tunaConfig.cmake.in), which declares it itself: keep the signature.
void register_installed_tuna_exe(const char* path);
// $TUNA_CACHE_DIR, else $XDG_CACHE_HOME/tuna, else ~/.cache/tuna.
std::filesystem::path default_cache_dir();
}  // namespace tuna
