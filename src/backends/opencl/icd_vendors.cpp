#include "backends/opencl/icd_vendors.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "backends/common/artifact_files.hpp"
#include "base/env_var.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSystemVendors = "/etc/OpenCL/vendors";
constexpr const char* kNvidiaLibrary = "libnvidia-opencl.so.1";

std::string joined(const std::vector<fs::path>& paths) {
  std::string text;
  for (const fs::path& path : paths) text += (text.empty() ? "" : ", ") + path.string();
  return text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<fs::path> icd_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".icd") files.push_back(entry.path());
  return files;
}

}  // namespace

std::vector<fs::path> vendor_search_folders() {
  std::vector<fs::path> folders;
  std::stringstream path(env_or_empty("LD_LIBRARY_PATH"));
  for (std::string item; std::getline(path, item, ':');)
    if (!item.empty()) folders.emplace_back(item);
  for (const char* dir : {"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib",
                          "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                          "/usr/local/cuda/compat"})
    folders.emplace_back(dir);
  return folders;
}

fs::path find_library_in(const std::string& file_name, const std::vector<fs::path>& folders) {
  std::error_code ec;
  for (const fs::path& folder : folders)
    if (fs::exists(folder / file_name, ec)) return folder / file_name;
  return {};
}

bool registered_in(const fs::path& vendors_dir, const fs::path& library) {
  const std::string wanted = library.filename().string();
  for (const fs::path& icd : icd_files(vendors_dir))
    if (fs::path(trimmed(read_text(icd))).filename().string() == wanted) return true;
  return false;
}

void write_vendor_folder(const fs::path& folder, const fs::path& system_dir,
                         const std::vector<fs::path>& libraries) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec)
    throw UserError(fmt::format(
        "opencl backend: cannot create {} for the OpenCL vendor registration: {}. Set "
        "TUNA_CACHE_DIR to a writable folder.",
        folder.string(), ec.message()));
  // Keep what the system registers (PoCL, say) beside the added driver: OCL_ICD_VENDORS
  // replaces the system folder, it does not extend it.
  for (const fs::path& icd : icd_files(system_dir))
    backends::write_file_atomically(folder / icd.filename(), read_text(icd));
  for (const fs::path& library : libraries)
    backends::write_file_atomically(folder / ("tuna-" + library.filename().string() + ".icd"),
                                    library.string() + "\n");
}

std::string register_vendor_libraries(const fs::path& cache_dir) {
  std::vector<fs::path> libraries;
  const std::string named = env_or_empty("TUNA_OPENCL_VENDOR_LIBRARY");
  if (!named.empty()) {
    std::stringstream list(named);
    for (std::string item; std::getline(list, item, ':');) {
      if (item.empty()) continue;
      fs::path library(item);
      if (!library.is_absolute()) {
        fs::path found = find_library_in(item, vendor_search_folders());
        if (found.empty())
          throw UserError(fmt::format(
              "TUNA_OPENCL_VENDOR_LIBRARY names '{}', which is in none of the library folders "
              "({}). Give its absolute path.",
              item, joined(vendor_search_folders())));
        library = found;
      }
      libraries.push_back(library);
    }
  } else {
    if (!env_or_empty("OCL_ICD_VENDORS").empty()) return {};
    fs::path nvidia = find_library_in(kNvidiaLibrary, vendor_search_folders());
    if (nvidia.empty() || registered_in(kSystemVendors, nvidia)) return {};
    libraries.push_back(nvidia);
  }
  if (libraries.empty()) return {};
  const fs::path folder = cache_dir / "opencl-vendors";
  write_vendor_folder(folder, kSystemVendors, libraries);
  ::setenv("OCL_ICD_VENDORS", folder.c_str(), 1);
  return fmt::format("registered {} with the OpenCL ICD loader through OCL_ICD_VENDORS={}",
                     joined(libraries), folder.string());
}

}  // namespace tuna::opencl
