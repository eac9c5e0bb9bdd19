#pragma once
// The host backend: kernels in plain C++ for the CPU, compiled by the system's C++ compiler into
// shared objects and called through dlopen. docs/backends/host.md describes the calling
// convention, the command line, the cache and the timing.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backends/host/host_device.hpp"
#include "tuna/backend.hpp"

namespace tuna::host {

struct HostBackendOptions {
  // The compiler command; empty: $TUNA_CXX, else $CXX, else c++.
  std::vector<std::string> cxx;
  // Generous: the evaluator enforces its own (usually shorter) limit around the compile child.
  double compile_timeout_s = 600;
  // Artifacts kept loaded in the bench worker at once.
  std::size_t max_loaded_libraries = 64;
  // Size of the buffer written between repetitions when flushing; 0: twice the largest cache
  // (at least 8 MiB; 64 MiB when the caches are unknown).
  std::size_t flush_bytes = 0;
};

class HostBackend final : public Backend {
 public:
  explicit HostBackend(HostBackendOptions options = {});
  ~HostBackend() override;

  std::string name() const override { return "host"; }
  DeviceInfo device_info() const override;

  CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                         const DeviceInfo& device, const std::filesystem::path& cache_dir) override;

  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) override;
  void reset_outputs() override;
  RunOutcome run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                 const Config& config, const TimingOptions& timing) override;
  std::vector<OutputBuffer> read_outputs() override;

  // The first line of `<cxx> --version`, asked once per backend object.
  const std::string& compiler_identity() const;

 private:
  using EntryFunction = void (*)(void**);
  std::vector<double> time_entry(EntryFunction entry, void** args, const TimingOptions& timing);
  void flush_caches();

  // What prepare() sets up and runs use (arguments, loaded libraries, the flush buffer), kept
  // out of this header so that it exposes no type of backends/common.
  struct RunState;

  HostBackendOptions options_;
  // Asked lazily: creating a backend (e.g. to list backends) should not run the compiler.
  mutable std::once_flag identity_once_;
  mutable std::string identity_;
  mutable std::once_flag cpu_once_;
  mutable CpuFacts cpu_;

  std::optional<DeviceInfo> device_;  // from prepare(): scalars and sizes read its facts
  std::unique_ptr<RunState> state_;
};

std::unique_ptr<Backend> make_host_backend();

}  // namespace tuna::host
