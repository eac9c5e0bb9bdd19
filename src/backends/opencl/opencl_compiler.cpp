#include "backends/opencl/opencl_compiler.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "backends/common/artifact_files.hpp"
#include "backends/common/artifact_manifest.hpp"
#include "backends/common/kernel_defines.hpp"
#include "backends/common/outcomes.hpp"
#include "backends/opencl/build_log.hpp"
#include "base/hash.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

namespace fs = std::filesystem;

// Bumped when the options or the manifest change meaning, so old binaries are not reused.
constexpr std::string_view kCacheFormat = "tuna-opencl-binary-v1";

// The builds see the source as one anonymous string, which each implementation names its own
// way ("<source>", "<kernel>"); first_error_line() puts the file's name back. No #line directive
// is added: NVIDIA's compiler (driver 580, H100) counted the directive's own line and reported
// every error one line late, while PoCL did not.
std::string with_file_name(const std::string& source, const fs::path& /*file*/) { return source; }

Program program_from_source(const OpenClApi& api, cl_context context, const std::string& text) {
  const char* source = text.c_str();
  const std::size_t length = text.size();
  cl_int status = CL_SUCCESS;
  cl_program program = api.create_program_with_source(context, 1, &source, &length, &status);
  check(status, "creating an OpenCL program from source");
  return Program(program, api.release_program);
}

std::string program_binary(const OpenClApi& api, cl_program program) {
  std::size_t size = 0;
  check(api.get_program_info(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr),
        "reading the program binary's size");
  if (size == 0) throw InternalError("the OpenCL implementation gave an empty program binary");
  std::string bytes(size, '\0');
  unsigned char* pointer = reinterpret_cast<unsigned char*>(bytes.data());
  check(api.get_program_info(program, CL_PROGRAM_BINARIES, sizeof pointer, &pointer, nullptr),
        "reading the program binary");
  return bytes;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UserError(
        fmt::format("cannot read the program binary {}. Delete the artifact cache "
                    "folder and run again.",
                    path.string()));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

std::string build_options(const KernelSpec& spec, const Space& space, const Config& config) {
  std::vector<std::string> options;
  options.push_back("-I" + spec.source.parent_path().string());
  options.insert(options.end(), spec.compiler_flags.begin(), spec.compiler_flags.end());
  const std::vector<std::string> defines = backends::define_options(spec, space, config);
  options.insert(options.end(), defines.begin(), defines.end());
  return fmt::format("{}", fmt::join(options, " "));
}

std::map<std::string, double> kernel_resources(const OpenClApi& api, cl_kernel kernel,
                                               cl_device_id device) {
  std::map<std::string, double> resources;
  auto size_fact = [&](cl_kernel_work_group_info what, const char* name) {
    std::size_t value = 0;
    if (api.get_kernel_work_group_info(kernel, device, what, sizeof value, &value, nullptr) ==
        CL_SUCCESS)
      resources[name] = static_cast<double>(value);
  };
  auto ulong_fact = [&](cl_kernel_work_group_info what, const char* name) {
    cl_ulong value = 0;
    if (api.get_kernel_work_group_info(kernel, device, what, sizeof value, &value, nullptr) ==
        CL_SUCCESS)
      resources[name] = static_cast<double>(value);
  };
  size_fact(CL_KERNEL_WORK_GROUP_SIZE, "work_group_size_limit");
  size_fact(CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, "preferred_work_group_multiple");
  ulong_fact(CL_KERNEL_LOCAL_MEM_SIZE, "local_memory_bytes");
  ulong_fact(CL_KERNEL_PRIVATE_MEM_SIZE, "private_memory_bytes");
  // The CUDA names of the same facts, so reports and the LLM's feedback read alike.
  if (resources.count("work_group_size_limit"))
    resources["max_threads_per_block"] = resources["work_group_size_limit"];
  if (resources.count("local_memory_bytes"))
    resources["static_shared_bytes"] = resources["local_memory_bytes"];
  return resources;
}

CompileOutcome compile_program(const OpenClApi& api, cl_device_id device, const KernelSpec& spec,
                               const Space& space, const Config& config,
                               const DeviceInfo& device_info, const fs::path& cache_dir) {
  const auto started = std::chrono::steady_clock::now();
  const std::string source_text = backends::read_kernel_source(spec.source);
  const std::string options = build_options(spec, space, config);
  const std::string entry = spec.entry_for(space, config);
  const std::string reference = backends::reference_entry(spec, space, config);

  ContentHasher hasher;
  hasher.field(kCacheFormat).field(source_text).field(spec.source.filename().string());
  hasher.field(options).field(entry).field(reference).field(device_info.id);
  const std::string hash = hasher.hex();
  const fs::path binary_path = cache_dir / (hash + ".clbin");

  if (std::optional<CompileOutcome> cached = backends::cached_artifact(binary_path, hash))
    return *cached;

  Context context = make_context(api, device);
  Program program =
      program_from_source(api, context.get(), with_file_name(source_text, spec.source));
  const cl_int built = build(api, program.get(), device, options);
  std::string log = build_log(api, program.get(), device);
  const std::string file_name = spec.source.filename().string();
  if (built != CL_SUCCESS) {
    std::string message = first_error_line(log, file_name);
    if (built == CL_INVALID_BUILD_OPTIONS)
      message = fmt::format(
          "the OpenCL compiler rejects the build options '{}' ({}); check "
          "kernel.flags",
          options, error_name(built));
    if (message.empty()) message = "the OpenCL build failed: " + error_name(built);
    return backends::compile_error_outcome(std::move(message), std::move(log));
  }

  backends::ArtifactManifest manifest;
  manifest.entry = entry;
  manifest.reference = reference;
  manifest.options = options;
  manifest.log = log;
  for (const std::string& name : {entry, reference}) {
    if (name.empty()) continue;
    cl_int status = CL_SUCCESS;
    Kernel kernel(api.create_kernel(program.get(), name.c_str(), &status), api.release_kernel);
    if (status != CL_SUCCESS)
      return backends::compile_error_outcome(
          fmt::format("{}: the program has no __kernel function '{}' ({}); check {}", file_name,
                      name, error_name(status), name == entry ? "kernel.entry" : "check.kernel"),
          std::move(log));
    if (name == entry) manifest.resources = kernel_resources(api, kernel.get(), device);
  }

  return backends::store_artifact(binary_path, hash, manifest, program_binary(api, program.get()),
                                  started);
}

Program ProgramCache::load(const fs::path& binary_path, const std::string& source_text) {
  const std::string bytes = read_bytes(binary_path);
  const unsigned char* pointer = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t length = bytes.size();
  cl_int binary_status = CL_SUCCESS;
  cl_int status = CL_SUCCESS;
  Program program(api_.create_program_with_binary(context_, 1, &device_, &length, &pointer,
                                                  &binary_status, &status),
                  api_.release_program);
  if (status == CL_SUCCESS && binary_status == CL_SUCCESS &&
      build(api_, program.get(), device_, "") == CL_SUCCESS)
    return program;
  // A binary from another driver version (the cache folder was shared or the driver updated):
  // the source and the options give the same program.
  const backends::ArtifactManifest manifest = backends::read_manifest(binary_path);
  Program rebuilt = program_from_source(api_, context_, source_text);
  const cl_int built = build(api_, rebuilt.get(), device_, manifest.options);
  if (built != CL_SUCCESS)
    throw ClFailure(built,
                    fmt::format("rebuilding {} from source after its binary was refused: {}",
                                binary_path.filename().string(),
                                first_error_line(build_log(api_, rebuilt.get(), device_), "")),
                    false);
  return rebuilt;
}

ProgramCache::Entry& ProgramCache::entry(const fs::path& binary_path,
                                         const std::string& source_text) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->path == binary_path) {
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front();
    }
  Program program = load(binary_path, source_text);
  if (entries_.size() >= capacity_) entries_.pop_back();
  entries_.push_front(Entry{binary_path, std::move(program), {}});
  return entries_.front();
}

cl_kernel ProgramCache::kernel(const fs::path& binary_path, const std::string& name,
                               const std::string& source_text) {
  Entry& e = entry(binary_path, source_text);
  auto found = e.kernels.find(name);
  if (found != e.kernels.end()) return found->second.get();
  cl_int status = CL_SUCCESS;
  Kernel kernel(api_.create_kernel(e.program.get(), name.c_str(), &status), api_.release_kernel);
  check(status, fmt::format("creating the kernel '{}'", name));
  return e.kernels.emplace(name, std::move(kernel)).first->second.get();
}

}  // namespace tuna::opencl
