#include "backends/cuda/dynamic_library.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace tuna::cuda {

OpenedLibrary open_first(const std::vector<std::string>& candidates) {
  OpenedLibrary opened;
  for (const std::string& candidate : candidates) {
    host::SharedLibrary library{std::filesystem::path(candidate)};
    if (library.valid()) {
      opened.library = std::move(library);
      opened.path = candidate;
      opened.tried.clear();
      return opened;
    }
    if (!opened.tried.empty()) opened.tried += "; ";
    opened.tried += fmt::format("{} ({})", candidate, library.error());
  }
  return opened;
}

std::filesystem::path folder_of_symbol(void* address) {
  Dl_info info{};
  if (address == nullptr || ::dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code ec;
  std::filesystem::path path = std::filesystem::canonical(info.dli_fname, ec);
  if (ec) path = info.dli_fname;
  return path.parent_path();
}

}  // namespace tuna::cuda
