#include "backends/cuda/nvrtc_api.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <vector>

#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNvrtcNames[] = {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"};

#if defined(TUNA_CUDA_LIBRARY_DIR)
constexpr const char* kBuildLibraryDir = TUNA_CUDA_LIBRARY_DIR;
#else
constexpr const char* kBuildLibraryDir = "";
#endif

std::vector<std::string> nvrtc_candidates() {
  std::vector<std::string> candidates;
  if (const char* forced = std::getenv("TUNA_NVRTC_LIBRARY"); forced != nullptr && *forced)
    candidates.emplace_back(forced);
  for (const char* name : kNvrtcNames) candidates.emplace_back(name);
  for (std::string dir : {std::string(kBuildLibraryDir), std::string("/usr/local/cuda/lib64"),
                          std::string("/usr/local/cuda/targets/x86_64-linux/lib")}) {
    if (dir.empty()) continue;
    for (const char* name : kNvrtcNames) candidates.push_back((fs::path(dir) / name).string());
  }
  return candidates;
}

bool has_cuda_headers(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / "cuda_fp16.h", ec);
}

fs::path find_include_dir(const fs::path& nvrtc_folder) {
  std::vector<fs::path> candidates;
  // lib64/ -> include/, and targets/<arch>/lib/ -> targets/<arch>/include/.
  if (!nvrtc_folder.empty()) candidates.push_back(nvrtc_folder.parent_path() / "include");
  if (*kBuildLibraryDir) candidates.push_back(fs::path(kBuildLibraryDir).parent_path() / "include");
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char* root = std::getenv(var); root != nullptr && *root)
      candidates.push_back(fs::path(root) / "include");
  candidates.emplace_back("/usr/local/cuda/include");
  for (const fs::path& dir : candidates)
    if (has_cuda_headers(dir)) return dir;
  return {};
}

}  // namespace

NvrtcApi::NvrtcApi()
    : LoadedLibrary(nvrtc_candidates(),
                    "cuda backend: NVRTC (the CUDA runtime compiler) cannot be loaded. Tried: {}. "
                    "Install the CUDA toolkit's NVRTC (e.g. the cuda-nvrtc package), add its lib "
                    "folder to LD_LIBRARY_PATH, or set TUNA_NVRTC_LIBRARY to the full path of "
                    "libnvrtc.so.") {
  require_functions(
      "cuda backend: {} lacks {}: this NVRTC is too old (tuna needs CUDA 11.1 or newer). Install "
      "a newer toolkit or set TUNA_NVRTC_LIBRARY to a newer libnvrtc.so.");
  int major = 0, minor = 0;
  if (get_version(&major, &minor) != NVRTC_SUCCESS)
    throw UserError(
        fmt::format("cuda backend: {} does not report its version; it is damaged or "
                    "not NVRTC. Reinstall the CUDA toolkit's NVRTC.",
                    opened_.path));
  version_ = fmt::format("{}.{}", major, minor);
  include_dir_ = find_include_dir(backends::folder_of_symbol(reinterpret_cast<void*>(get_version)));
}

std::string NvrtcApi::error_string(nvrtcResult result) const {
  const char* text = get_error_string != nullptr ? get_error_string(result) : nullptr;
  return text != nullptr ? text : fmt::format("NVRTC error {}", static_cast<int>(result));
}

}  // namespace tuna::cuda
