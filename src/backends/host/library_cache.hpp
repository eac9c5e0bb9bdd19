#pragma once
// A small cache of open artifact libraries for the bench worker, which runs the same artifact
// many times (timing, rebenchmarking, the final shootout).
#include <cstddef>
#include <filesystem>
#include <list>
#include <utility>

#include "backends/common/dynamic_library.hpp"

namespace tuna::host {

// Keeps the most recently used libraries open; the oldest is closed when the cache is full, so a
// long run over thousands of configs does not keep thousands of libraries mapped.
class LibraryCache {
 public:
  explicit LibraryCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The library at `path`, opened now or earlier. Artifacts are named by their content hash, so
  // one path always holds the same code. A failed open is not cached (the next call retries).
  const backends::SharedLibrary& open(const std::filesystem::path& path) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == path) {
        entries_.splice(entries_.begin(), entries_, it);
        return entries_.front().second;
      }
    }
    backends::SharedLibrary library(path);
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
  std::list<std::pair<std::filesystem::path, backends::SharedLibrary>> entries_;
  backends::SharedLibrary failed_;
};

}  // namespace tuna::host
