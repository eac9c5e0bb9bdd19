#pragma once
// The simulation backend: a "device" that answers from a recorded search space (spec.recording)
// instead of running anything. Compiling looks the config up and reports the
// recorded compile failure or compile time; running reports the recorded repetitions or the
// recorded run-time failure. docs/backends/sim.md.
#include <filesystem>
#include <memory>

#include "tuna/backend.hpp"

namespace tuna::sim {

// store/recorded_space.hpp; not included here, so that the backend registry, which may not see
// the store, can include this header.
struct RecordedSpace;

class SimBackend final : public Backend {
 public:
  SimBackend();
  ~SimBackend() override;

  std::string name() const override { return "sim"; }
  // The bench worker asks before it has a spec, so the device is named generically; a spec's
  // [device] table names the recorded device (device_for_spec), which the evaluator then uses.
  DeviceInfo device_info() const override;

  CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                         const DeviceInfo& device, const std::filesystem::path& cache_dir) override;
  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) override;
  void reset_outputs() override {}
  RunOutcome run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                 const Config& config, const TimingOptions& timing) override;
  std::vector<OutputBuffer> read_outputs() override { return {}; }

 private:
  const RecordedSpace& recording(const KernelSpec& spec);

  std::unique_ptr<RecordedSpace> recorded_;
  std::filesystem::path loaded_from_;
};

std::unique_ptr<Backend> make_sim_backend();

}  // namespace tuna::sim
