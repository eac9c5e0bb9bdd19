#include "backends/cuda/cuda_compiler.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "backends/common/artifact_files.hpp"
#include "backends/common/artifact_manifest.hpp"
#include "backends/common/kernel_defines.hpp"
#include "backends/common/outcomes.hpp"
#include "backends/cuda/nvrtc_api.hpp"
#include "backends/cuda/nvrtc_program.hpp"
#include "base/hash.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

namespace fs = std::filesystem;

// Bumped when the fixed options or the manifest change meaning, so old cubins are not reused.
// v2: the shared manifest; v3: the standard headers of nvrtc_std_headers.
constexpr std::string_view kCacheFormat = "tuna-cuda-cubin-v3";

}  // namespace

int compute_capability_of(const DeviceInfo& device) {
  const Value* cc = device.facts.find("compute_capability");
  if (cc == nullptr || cc->is_string())
    throw InternalError(
        fmt::format("compiling for device '{}', which has no compute_capability fact", device.name));
  return static_cast<int>(cc->as_int());
}

void disable_compute_cache() { ::setenv("CUDA_CACHE_DISABLE", "1", 1); }

namespace {
std::unique_ptr<NvrtcApi> load_nvrtc_without_its_cache() {
  disable_compute_cache();
  return std::make_unique<NvrtcApi>();
}
}  // namespace

CudaCompiler::CudaCompiler() : nvrtc_(load_nvrtc_without_its_cache()) {}
CudaCompiler::~CudaCompiler() = default;

const std::string& CudaCompiler::nvrtc_version() const { return nvrtc_->version(); }
const std::string& CudaCompiler::nvrtc_library() const { return nvrtc_->library_path(); }
const fs::path& CudaCompiler::include_dir() const { return nvrtc_->include_dir(); }

std::vector<std::string> CudaCompiler::options(const KernelSpec& spec, const Space& space,
                                               const Config& config, int compute_capability,
                                               std::string_view source_text) const {
  std::vector<std::string> options;
  if (!flags_choose_architecture(spec.compiler_flags))
    options.push_back("--gpu-architecture=" + select_architecture(source_text, compute_capability));
  options.push_back("-lineinfo");
  options.push_back("--ptxas-options=-v");
  options.push_back("-I" + spec.source.parent_path().string());
  if (!include_dir().empty()) options.push_back("-I" + include_dir().string());
  options.insert(options.end(), spec.compiler_flags.begin(), spec.compiler_flags.end());
  const std::vector<std::string> defines = backends::define_options(spec, space, config);
  options.insert(options.end(), defines.begin(), defines.end());
  return options;
}

CompileOutcome CudaCompiler::compile(const KernelSpec& spec, const Space& space,
                                     const Config& config, const DeviceInfo& device,
                                     const fs::path& cache_dir) const {
  const auto started = std::chrono::steady_clock::now();
  const std::string source_text = backends::read_kernel_source(spec.source);
  const int cc = compute_capability_of(device);
  const std::vector<std::string> opts = options(spec, space, config, cc, source_text);
  const std::string entry = spec.entry_for(space, config);
  const std::string reference = backends::reference_entry(spec, space, config);

  ContentHasher hasher;
  hasher.field(kCacheFormat).field(source_text).field(spec.source.filename().string());
  hasher.field(static_cast<std::int64_t>(opts.size()));
  for (const auto& option : opts) hasher.field(option);
  hasher.field(entry).field(reference).field(static_cast<std::int64_t>(cc));
  hasher.field(nvrtc_version());
  const std::string hash = hasher.hex();
  const fs::path cubin_path = cache_dir / (hash + ".cubin");

  if (std::optional<CompileOutcome> cached = backends::cached_artifact(cubin_path, hash))
    return *cached;

  // Name expressions give the mangled name of a template instance or a C++ function; an
  // extern "C" entry lowers to itself.
  Program program(*nvrtc_, source_text, spec.source.string(), nvrtc_std_headers());
  std::vector<std::string> expressions = {entry};
  if (!reference.empty() && reference != entry) expressions.push_back(reference);
  for (const auto& expression : expressions) {
    nvrtcResult r = nvrtc_->add_name_expression(program.get(), expression.c_str());
    if (r != NVRTC_SUCCESS)
      return backends::compile_error_outcome(
          fmt::format("NVRTC rejects the entry '{}': {}", expression, nvrtc_->error_string(r)), "");
  }
  std::vector<const char*> argv;
  for (const auto& option : opts) argv.push_back(option.c_str());
  nvrtcResult compiled =
      nvrtc_->compile_program(program.get(), static_cast<int>(argv.size()), argv.data());
  std::string log = program.log();
  if (compiled != NVRTC_SUCCESS) {
    std::string message = first_error_line(log);
    if (compiled == NVRTC_ERROR_INVALID_OPTION)
      message = fmt::format("NVRTC rejects an option ({}); check kernel.flags: {}",
                            nvrtc_->error_string(compiled), message);
    if (message.empty()) message = "NVRTC failed: " + nvrtc_->error_string(compiled);
    return backends::compile_error_outcome(std::move(message), std::move(log));
  }

  backends::ArtifactManifest manifest;
  manifest.entry = program.lowered(entry);
  if (!reference.empty()) manifest.reference = program.lowered(reference);
  manifest.resources = parse_ptxas_resources(log, manifest.entry);
  manifest.log = std::move(log);
  return backends::store_artifact(cubin_path, hash, manifest, program.cubin(), started);
}

}  // namespace tuna::cuda
