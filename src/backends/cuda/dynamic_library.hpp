#pragma once
// Finding and opening the CUDA libraries at run time (DESIGN.md §3): tuna links none of them, so
// one binary starts on machines without a GPU driver and says what is missing.
#include <filesystem>
#include <string>
#include <vector>

#include "backends/host/shared_library.hpp"

namespace tuna::cuda {

// The first of `candidates` (file names for the loader's search path, or absolute paths) that
// dlopen accepts. On failure the result is not valid() and `tried` lists every attempt with the
// loader's reason, for the error message.
struct OpenedLibrary {
  host::SharedLibrary library;
  std::string path;   // the candidate that opened
  std::string tried;  // "libx.so.1 (reason); /a/b/libx.so (reason)" when none opened
};
OpenedLibrary open_first(const std::vector<std::string>& candidates);

// Looks `name` up in `library` and stores it, typed, in `slot`. Returns false (and appends the
// name to `missing`) when the symbol is absent.
template <class Function>
bool bind_symbol(const host::SharedLibrary& library, const char* name, Function& slot,
                 std::vector<std::string>& missing) {
  std::string why;
  void* address = library.symbol(name, why);
  if (address == nullptr) {
    missing.emplace_back(name);
    slot = nullptr;
    return false;
  }
  slot = reinterpret_cast<Function>(address);
  return true;
}

// The folder holding a library mapped into this process (dladdr on one of its symbols), or an
// empty path.
std::filesystem::path folder_of_symbol(void* address);

}  // namespace tuna::cuda
