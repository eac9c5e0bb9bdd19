#pragma once
// The simulation backend: a "device" that answers from a recorded search space (spec.recording)
// instead of running anything. Compiling looks the config up and reports the
// recorded compile failure or compile time; running reports the recorded repetitions or the
// recorded run-time failure. docs/backends/sim.md.
#include <filesystem>
#include <memory>
#include <optional>

#include "backends/sim/recorded_space.hpp"
#include "tuna/backend.hpp"

namespace tuna::sim {

class SimBackend final : public Backend {
 public:
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

  std::optional<RecordedSpace> recorded_;
  std::filesystem::path loaded_from_;
};

std::unique_ptr<Backend> make_sim_backend();

// The spec of a recorded space already loaded, without a recording path or source (`tuna
// compare` keeps the space in memory): what spec_from_recording writes, less those two.
KernelSpec spec_from_recorded_space(const RecordedSpace& recorded);

// A spec that replays `recording` on the sim backend: one list parameter per recorded parameter,
// the T1 restrictions (when given) as constraints, no arguments and no correctness check;
// `source` (optional) the kernel's real source for the LLM; the recorded device's facts when
// known_recorded_device() knows it by name, else its name alone.
KernelSpec spec_from_recording(const std::filesystem::path& recording,
                               const std::optional<std::filesystem::path>& t1_file = {},
                               const std::optional<std::filesystem::path>& source = {});

}  // namespace tuna::sim
