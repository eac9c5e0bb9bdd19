#pragma once
// Reading OpenCL build logs and the cache manifest that sits beside each program binary. Free
// of OpenCL types so tests use it without the headers.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace tuna::opencl {

// The first error line of a build log, with the name the implementation gives the in-memory
// source ("<source>", "<kernel>", "<program source>", ...) and any directories replaced by
// `file_name`: "saxpy.cl:12:5: error: use of undeclared identifier 'x'". Falls back to the
// first line that mentions an error, then to the first non-empty line; "" for an empty log.
std::string first_error_line(std::string_view log, std::string_view file_name);

// What the compile wrote next to the binary (`<hash>.json`).
struct ProgramManifest {
  std::string entry;      // the kernel function of the config
  std::string reference;  // check.kernel, or "" when none
  std::string options;    // the build options, to rebuild from source if the binary is refused
  std::map<std::string, double> resources;  // the entry's work-group facts
  std::string log;
};

std::filesystem::path manifest_path(const std::filesystem::path& binary_path);
// Throws UserError when the manifest is missing or damaged.
ProgramManifest read_manifest(const std::filesystem::path& binary_path);
void write_manifest(const std::filesystem::path& binary_path, const ProgramManifest& manifest);

}  // namespace tuna::opencl
