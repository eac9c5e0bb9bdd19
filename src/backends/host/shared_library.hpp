#pragma once
// RAII for dlopen handles, and a small cache of open libraries for the bench worker, which runs
// the same artifact many times (timing, rebenchmarking, the final shootout).
#include <dlfcn.h>

#include <cstddef>
#include <filesystem>
#include <list>
#include <string>
#include <utility>

namespace tuna::host {

class SharedLibrary {
 public:
  SharedLibrary() = default;
  // RTLD_LOCAL because every artifact exports the same `tuna_entry`: each library must resolve
  // its own. RTLD_NOW so a missing symbol is reported here, not in the middle of a timed run.
  // Check valid() / error() afterwards.
  explicit SharedLibrary(const std::filesystem::path& path) {
    handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) error_ = last_dl_error();
  }
  SharedLibrary(SharedLibrary&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), error_(std::move(other.error_)) {}
  SharedLibrary& operator=(SharedLibrary&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = std::exchange(other.handle_, nullptr);
      error_ = std::move(other.error_);
    }
    return *this;
  }
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary() { close(); }

  bool valid() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }

  // The address of `name`, or nullptr (with the loader's reason in `why`).
  void* symbol(const std::string& name, std::string& why) const {
    if (handle_ == nullptr) {
      why = error_;
      return nullptr;
    }
    ::dlerror();
    void* address = ::dlsym(handle_, name.c_str());
    if (address == nullptr) why = last_dl_error();
    return address;
  }

 private:
  static std::string last_dl_error() {
    const char* text = ::dlerror();
    return text != nullptr ? text : "unknown dynamic loader error";
  }
  void close() {
    if (handle_ != nullptr) ::dlclose(handle_);
    handle_ = nullptr;
  }

  void* handle_ = nullptr;
  std::string error_;
};

// Keeps the most recently used libraries open; the oldest is closed when the cache is full, so a
// long run over thousands of configs does not keep thousands of libraries mapped.
class LibraryCache {
 public:
  explicit LibraryCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The library at `path`, opened now or earlier. Artifacts are named by their content hash, so
  // one path always holds the same code. A failed open is not cached (the next call retries).
  const SharedLibrary& open(const std::filesystem::path& path) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == path) {
        entries_.splice(entries_.begin(), entries_, it);
        return entries_.front().second;
      }
    }
    SharedLibrary library(path);
    if (!library.valid()) {
      failed_ = std::move(library);
      return failed_;
    }
    if (entries_.size() >= capacity_) entries_.pop_back();
    entries_.emplace_front(path, std::move(library));
    return entries_.front().second;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::pair<std::filesystem::path, SharedLibrary>> entries_;
  SharedLibrary failed_;
};

}  // namespace tuna::host
