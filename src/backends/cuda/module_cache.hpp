#pragma once
// Loaded cubins in the bench worker, by path (artifacts are named by content hash, so a path
// always holds the same code). The most recently used stay loaded; the oldest is unloaded when
// the cache is full, so thousands of configs do not fill device memory with code.
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "backends/cuda/driver_handles.hpp"

namespace tuna::cuda {

class ModuleCache {
 public:
  // Called with each module as it is loaded, before any of its functions is handed out (to fill
  // its globals); `name` is the cubin's file name. What it throws passes through, and the module
  // is then unloaded, not kept: the next request loads it and calls the hook again.
  using OnLoad = std::function<void(CUmodule module, const std::string& name)>;

  ModuleCache(const DriverApi& driver, std::size_t capacity, OnLoad on_load = {})
      : driver_(driver), capacity_(capacity == 0 ? 1 : capacity), on_load_(std::move(on_load)) {}

  // The kernel `symbol` of the cubin at `path`, loading the cubin if needed. Throws
  // CudaFailure (a cubin for another GPU, a missing symbol) or UserError (an unreadable file).
  CUfunction function(const std::filesystem::path& path, const std::string& symbol);

 private:
  const Module& module(const std::filesystem::path& path);

  const DriverApi& driver_;
  std::size_t capacity_;
  OnLoad on_load_;
  std::list<std::pair<std::filesystem::path, std::unique_ptr<Module>>> entries_;
};

}  // namespace tuna::cuda
