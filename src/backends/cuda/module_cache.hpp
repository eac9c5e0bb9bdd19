#pragma once
// Loaded cubins in the bench worker, by path (artifacts are named by content hash, so a path
// always holds the same code). The most recently used stay loaded; the oldest is unloaded when
// the cache is full, so thousands of configs do not fill device memory with code.
#include <filesystem>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "backends/cuda/driver_handles.hpp"

namespace tuna::cuda {

class ModuleCache {
 public:
  ModuleCache(const DriverApi& driver, std::size_t capacity)
      : driver_(driver), capacity_(capacity == 0 ? 1 : capacity) {}

  // The kernel `symbol` of the cubin at `path`, loading the cubin if needed. Throws
  // CudaFailure (a cubin for another GPU, a missing symbol) or UserError (an unreadable file).
  CUfunction function(const std::filesystem::path& path, const std::string& symbol);

 private:
  const Module& module(const std::filesystem::path& path);

  const DriverApi& driver_;
  std::size_t capacity_;
  std::list<std::pair<std::filesystem::path, std::unique_ptr<Module>>> entries_;
};

}  // namespace tuna::cuda
