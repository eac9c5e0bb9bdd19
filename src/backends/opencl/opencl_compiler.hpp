#pragma once
// Building one config of an OpenCL kernel. OpenCL has no offline compiler, so the compile child
// opens its own context on the selected device and builds there with clBuildProgram; the
// program binary it gets back is cached on disk by a hash of source + options + device, and
// the bench worker loads it with clCreateProgramWithBinary. docs/backends/opencl.md.
#include <filesystem>
#include <list>
#include <map>
#include <string>
#include <utility>

#include "backends/opencl/cl_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::opencl {

// The build options of one config: -I the source's folder, the spec's flags, one define per
// parameter (spec.define_format), space-separated.
std::string build_options(const KernelSpec& spec, const Space& space, const Config& config);

// What the implementation reports about `kernel` on `device` (docs/backends/opencl.md,
// "Resources"). Missing queries are left out.
std::map<std::string, double> kernel_resources(const OpenClApi& api, cl_kernel kernel,
                                               cl_device_id device);

// Builds (or finds in `cache_dir`) the program of `config`. A failing build is data
// (ok = false, error_class "compile_error", the first error line as message, the whole log
// kept); throws UserError only for what no config escapes (unreadable source, unwritable
// cache).
CompileOutcome compile_program(const OpenClApi& api, cl_device_id device, const KernelSpec& spec,
                               const Space& space, const Config& config,
                               const DeviceInfo& device_info,
                               const std::filesystem::path& cache_dir);

// Programs loaded in the bench worker, by binary path (paths are content hashes, so a path
// always holds the same code); the oldest is released when more than `capacity` are loaded.
class ProgramCache {
 public:
  ProgramCache(const OpenClApi& api, cl_context context, cl_device_id device,
               std::size_t capacity)
      : api_(api), context_(context), device_(device), capacity_(capacity == 0 ? 1 : capacity) {}

  // The kernel `name` of the program at `binary_path`. The binary is loaded with
  // clCreateProgramWithBinary; when the implementation refuses it (another driver version),
  // the program is rebuilt from `source_text` with the options in the manifest. Throws
  // ClFailure (no such kernel, a build that fails) or UserError (unreadable files).
  cl_kernel kernel(const std::filesystem::path& binary_path, const std::string& name,
                   const std::string& source_text);

 private:
  struct Entry {
    std::filesystem::path path;
    Program program;
    std::map<std::string, Kernel> kernels;
  };
  Entry& entry(const std::filesystem::path& binary_path, const std::string& source_text);
  Program load(const std::filesystem::path& binary_path, const std::string& source_text);

  const OpenClApi& api_;
  cl_context context_;
  cl_device_id device_;
  std::size_t capacity_;
  std::list<Entry> entries_;
};

}  // namespace tuna::opencl
