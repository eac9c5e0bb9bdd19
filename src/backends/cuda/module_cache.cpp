#include "backends/cuda/module_cache.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "tuna/errors.hpp"

namespace tuna::cuda {

const Module& ModuleCache::module(const std::filesystem::path& path) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == path) {
      entries_.splice(entries_.begin(), entries_, it);
      return *entries_.front().second;
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in || bytes.str().empty())
    throw UserError(
        fmt::format("cannot read the compiled kernel {}. Was the artifact cache "
                    "folder cleared during the run? Run again.",
                    path.string()));
  auto loaded =
      std::make_unique<Module>(load_module(driver_, bytes.str(), path.filename().string()));
  if (on_load_) on_load_(loaded->get(), path.filename().string());
  if (entries_.size() >= capacity_) entries_.pop_back();
  entries_.emplace_front(path, std::move(loaded));
  return *entries_.front().second;
}

CUfunction ModuleCache::function(const std::filesystem::path& path, const std::string& symbol) {
  const Module& loaded = module(path);
  CUfunction function = nullptr;
  check(driver_, driver_.module_get_function(&function, loaded.get(), symbol.c_str()),
        fmt::format("finding the kernel {} in {}", symbol, path.filename().string()));
  return function;
}

}  // namespace tuna::cuda
