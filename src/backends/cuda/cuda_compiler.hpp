#pragma once
// Compiling one config of a CUDA kernel to a CUBIN with NVRTC, with an on-disk cache keyed by a
// content hash. Runs in the compile child and never touches the GPU (NVRTC needs none), so it
// is usable, and tested, on machines without one. docs/backends/cuda.md describes the options,
// the architecture choice, templates and the cache.
//
// This header deliberately does not include nvrtc.h: tests use it without the toolkit's headers.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/cuda/kernel_compiler.hpp"
#include "tuna/backend.hpp"

namespace tuna::cuda {

class NvrtcApi;

// "sm_90", or "sm_90a" when the source uses instructions that exist only in the
// architecture-specific variant (wgmma, setmaxnreg) on a device of compute capability 9.0 or
// later. `compute_capability` is major * 10 + minor.
std::string select_architecture(std::string_view source_text, int compute_capability);

// The device's compute capability (major * 10 + minor) from its facts; InternalError when it
// has none (every CUDA device's facts have it).
int compute_capability_of(const DeviceInfo& device);

// True when the spec's flags already choose an architecture (-arch, --gpu-architecture).
bool flags_choose_architecture(const std::vector<std::string>& flags);

// Per-function figures from a ptxas -v log: registers, spill_stores_bytes, spill_loads_bytes,
// stack_frame_bytes, static_shared_bytes, barriers. Empty when `function` is not in the log.
std::map<std::string, double> parse_ptxas_resources(std::string_view log,
                                                    std::string_view function);

// The first error line of an NVRTC log with directories stripped from its path
// ("add.cu(12): error: identifier \"x\" is undefined"); empty when none.
std::string first_error_line(std::string_view log);

// NVRTC keeps compiled code in the NVIDIA compute cache (~/.nv/ComputeCache); a hit there
// skips ptxas, and with it the `ptxas -v` lines the resources are read from. tuna has its own
// cache keyed by everything that matters, so this switches NVIDIA's off (CUDA_CACHE_DISABLE=1)
// for this process. It must run before the driver is initialised (cuInit reads the variable)
// and before NVRTC is loaded. The bench worker loads cubins, never PTX, so it loses nothing.
void disable_compute_cache();

class CudaCompiler final : public KernelCompiler {
 public:
  // Loads NVRTC; throws UserError (from NvrtcApi) when it cannot.
  CudaCompiler();
  ~CudaCompiler() override;
  CudaCompiler(const CudaCompiler&) = delete;
  CudaCompiler& operator=(const CudaCompiler&) = delete;

  const std::string& nvrtc_version() const;
  std::string identity() const override { return "NVRTC " + nvrtc_version(); }
  void add_facts(Env& facts) const override { facts.set("nvrtc_version", nvrtc_version()); }
  const std::string& nvrtc_library() const;
  const std::filesystem::path& include_dir() const;

  // The NVRTC options for one config (without the ones naming files): architecture, -lineinfo,
  // --ptxas-options=-v, include folders, the spec's flags, one define per parameter.
  std::vector<std::string> options(const KernelSpec& spec, const Space& space, const Config& config,
                                   int compute_capability, std::string_view source_text) const;

  // Compiles (or finds in `cache_dir`) the cubin of `config` for the compute capability in
  // `device`'s facts. A failing compile is data (ok = false, error_class "compile_error");
  // throws UserError only for what no config can escape (unreadable source, unwritable cache).
  CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                         const DeviceInfo& device,
                         const std::filesystem::path& cache_dir) const override;

 private:
  std::unique_ptr<NvrtcApi> nvrtc_;
};

}  // namespace tuna::cuda
