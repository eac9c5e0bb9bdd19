#pragma once
// Making an installed but unregistered OpenCL driver visible to the ICD loader. The loader
// finds platforms through .icd files (one library name each) in /etc/OpenCL/vendors; NVIDIA's
// container images ship the driver's libnvidia-opencl.so.1 without that file, so the loader
// sees no NVIDIA platform. tuna then writes its own folder of .icd files and points
// OCL_ICD_VENDORS at it before the loader is opened. docs/backends/opencl.md describes it.
#include <filesystem>
#include <string>
#include <vector>

namespace tuna::opencl {

// Where vendor libraries are looked for: the folders of $LD_LIBRARY_PATH, then the usual
// driver folders (/usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu, ...).
std::vector<std::filesystem::path> vendor_search_folders();

// The first existing `file_name` in `folders`, or an empty path.
std::filesystem::path find_library_in(const std::string& file_name,
                                      const std::vector<std::filesystem::path>& folders);

// True when an .icd file in `vendors_dir` names a library whose file name is that of
// `library` (a registration by bare soname counts).
bool registered_in(const std::filesystem::path& vendors_dir, const std::filesystem::path& library);

// Writes `folder` with a copy of every .icd file of `system_dir` plus one naming each of
// `libraries` (absolute paths). Throws UserError when the folder cannot be written.
void write_vendor_folder(const std::filesystem::path& folder,
                         const std::filesystem::path& system_dir,
                         const std::vector<std::filesystem::path>& libraries);

// Decides and applies the registration for this process (and, through the environment, its
// children): with $TUNA_OPENCL_VENDOR_LIBRARY set, registers that library; otherwise, unless
// the user set OCL_ICD_VENDORS, registers libnvidia-opencl.so.1 when it is found but not
// registered. Returns a one-line note of what it did ("" when nothing). Must run before
// libOpenCL.so.1 is loaded: the loader reads its vendors once.
std::string register_vendor_libraries(const std::filesystem::path& cache_dir);

}  // namespace tuna::opencl
