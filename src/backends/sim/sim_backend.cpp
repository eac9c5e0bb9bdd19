#include "backends/sim/sim_backend.hpp"

#include <fmt/format.h>

#include "base/hash.hpp"
#include "store/recorded_space.hpp"
#include "tuna/errors.hpp"

namespace tuna::sim {

namespace {

const RecordedConfig* lookup(const RecordedSpace& rec, const Space& space, const Config& config) {
  // The spec's space and the recording's have the same parameters in the same order when the
  // spec came from spec_from_recording; the key is the common ground either way.
  return rec.find(space.key(config));
}

std::string not_recorded(const KernelSpec& spec) {
  return fmt::format(
      "not in the recording {}: the recording is exhaustive, so this "
      "configuration violates one of its restrictions (give the T1 restrictions "
      "as [constraints] to rule such configs out before they are proposed)",
      spec.recording.filename().string());
}

// The recorded config, or nullptr with `out` saying that the recording lacks it.
template <class Outcome>
const RecordedConfig* find_recorded(const RecordedSpace& rec, const KernelSpec& spec,
                                    const Space& space, const Config& config, Outcome& out) {
  const RecordedConfig* rc = lookup(rec, space, config);
  if (rc == nullptr) {
    out.error_class = "not_recorded";
    out.message = not_recorded(spec);
  }
  return rc;
}

}  // namespace

SimBackend::SimBackend() = default;
SimBackend::~SimBackend() = default;

DeviceInfo SimBackend::device_info() const {
  DeviceInfo d;
  d.backend = "sim";
  d.name = "recorded device (simulation)";
  d.id = "sim";
  return d;
}

const RecordedSpace& SimBackend::recording(const KernelSpec& spec) {
  if (!recorded_ || loaded_from_ != spec.recording) {
    recorded_ = std::make_unique<RecordedSpace>(load_recorded_space(spec.recording));
    loaded_from_ = spec.recording;
  }
  return *recorded_;
}

CompileOutcome SimBackend::compile(const KernelSpec& spec, const Space& space, const Config& config,
                                   const DeviceInfo&, const std::filesystem::path&) {
  CompileOutcome out;
  const RecordedConfig* rc = find_recorded(recording(spec), spec, space, config, out);
  if (!rc) return out;
  out.compile_ms = rc->compile_ms;
  if (rc->status == Status::CompileError) {
    out.error_class = rc->error_class.empty() ? "compile_error" : rc->error_class;
    out.message = "recorded as " + out.error_class;
    return out;
  }
  out.ok = true;
  out.artifact.path = spec.recording;
  out.artifact.symbol = rc->key;
  out.artifact.hash = content_hash_hex(spec.recording.string() + "\n" + rc->key);
  return out;
}

void SimBackend::prepare(const KernelSpec& spec, const DeviceInfo&, std::uint64_t) {
  recording(spec);
}

RunOutcome SimBackend::run(const Artifact&, const KernelSpec& spec, const Space& space,
                           const Config& config, const TimingOptions& timing) {
  RunOutcome out;
  const RecordedConfig* rc = find_recorded(recording(spec), spec, space, config, out);
  if (!rc) return out;
  if (rc->status != Status::Ok) {
    out.error_class = rc->error_class.empty() ? status_name(rc->status) : rc->error_class;
    out.message = "recorded as " + out.error_class;
    out.resources["recorded_run_ms"] = rc->run_ms;  // a failed run still cost its time
    return out;
  }
  out.ok = true;
  // A single checked run gets one time; timing gets every recorded repetition.
  if (timing.min_repetitions <= 1 && timing.max_repetitions <= 1)
    out.times_ms = {rc->time_ms};
  else
    out.times_ms = rc->times_ms.empty() ? std::vector<double>{rc->time_ms} : rc->times_ms;
  out.resources["recorded_compile_ms"] = rc->compile_ms;
  out.resources["recorded_run_ms"] = rc->run_ms;
  return out;
}

std::unique_ptr<Backend> make_sim_backend() { return std::make_unique<SimBackend>(); }

}  // namespace tuna::sim
