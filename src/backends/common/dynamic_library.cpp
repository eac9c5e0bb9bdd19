#include "backends/common/dynamic_library.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tuna/errors.hpp"

namespace tuna::backends {
namespace {

std::string last_dl_error() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "unknown dynamic loader error";
}

}  // namespace

SharedLibrary::SharedLibrary(const std::filesystem::path& path, int extra_flags) {
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | extra_flags);
  if (handle_ == nullptr) error_ = last_dl_error();
}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, nullptr);
    error_ = std::move(other.error_);
  }
  return *this;
}

void* SharedLibrary::symbol(const std::string& name, std::string& why) const {
  if (handle_ == nullptr) {
    why = error_;
    return nullptr;
  }
  ::dlerror();
  void* address = ::dlsym(handle_, name.c_str());
  if (address == nullptr) why = last_dl_error();
  return address;
}

void SharedLibrary::close() {
  if (handle_ != nullptr) ::dlclose(handle_);
  handle_ = nullptr;
}

OpenedLibrary open_first(const std::vector<std::string>& candidates) {
  OpenedLibrary opened;
  for (const std::string& candidate : candidates) {
    SharedLibrary library{std::filesystem::path(candidate), RTLD_NODELETE};
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

LoadedLibrary::LoadedLibrary(const std::vector<std::string>& candidates,
                             std::string_view cannot_open)
    : opened_(open_first(candidates)) {
  if (!opened_.library.valid())
    throw UserError(fmt::format(fmt::runtime(cannot_open), opened_.tried));
}

void LoadedLibrary::require_functions(std::string_view lacking) const {
  if (!symbols_.missing().empty())
    throw UserError(
        fmt::format(fmt::runtime(lacking), opened_.path, fmt::join(symbols_.missing(), ", ")));
}

void* SymbolTable::find(std::initializer_list<const char*> names) {
  std::string why;
  for (const char* name : names)
    if (void* address = library_.symbol(name, why)) return address;
  if (names.size() > 0) missing_.emplace_back(*(names.end() - 1));
  return nullptr;
}

std::filesystem::path folder_of_symbol(void* address) {
  Dl_info info{};
  if (address == nullptr || ::dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code ec;
  std::filesystem::path path = std::filesystem::canonical(info.dli_fname, ec);
  if (ec) path = info.dli_fname;
  return path.parent_path();
}

}  // namespace tuna::backends
