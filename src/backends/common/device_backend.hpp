#pragma once
// What the GPU backends (CUDA, OpenCL) share around their device state. prepare() replaces one
// Runtime object, which holds everything a run needs on the device (context, queue, loaded code,
// the arguments as `arguments`, a StagedArguments) and releases it together; the Backend methods
// that only reach the arguments live here; and a DeviceFailure while running a config is that
// config's failed outcome, never an exception out of run().
#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/common/device_failure.hpp"
#include "backends/common/outcomes.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

namespace tuna::backends {

template <class Runtime>
class DeviceBackend : public Backend {
 public:
  void reset_outputs() override { prepared_runtime().arguments.reset_outputs(); }

  std::vector<OutputBuffer> read_outputs() override {
    return prepared_runtime().arguments.read_outputs();
  }

  RunOutcome run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                 const Config& config, const TimingOptions& timing) override {
    prepared_runtime();
    try {
      return run_prepared(artifact, spec, space, config, timing);
    } catch (const DeviceFailure& failure) {
      return run_failure(failure.name(), failure.what(), failure.fatal());
    }
  }

 protected:
  // run() once the runtime is prepared; throws DeviceFailure for what the device refused.
  virtual RunOutcome run_prepared(const Artifact& artifact, const KernelSpec& spec,
                                  const Space& space, const Config& config,
                                  const TimingOptions& timing) = 0;

  // Replaces the runtime with the one `make()` builds for `device` (the facts expressions read
  // from then on). A DeviceFailure while building it (out of device memory) becomes a UserError
  // naming the backend, the device and the failure (`describe`), followed by `advice`.
  template <class Make, class Describe>
  void prepare_runtime(const DeviceInfo& device, Make make, Describe describe, const char* advice) {
    device_facts_ = device;
    runtime_.reset();
    try {
      runtime_ = make();
    } catch (const DeviceFailure& failure) {
      runtime_.reset();
      throw UserError(fmt::format("{} backend: cannot set up the kernel's arguments on {}: {}. {}",
                                  name(), device.name, describe(failure), advice));
    }
  }

  Runtime& prepared_runtime() {
    TUNA_ASSERT(runtime_ != nullptr && runtime_->arguments.prepared(),
                fmt::format("{} backend used before prepare", name()));
    return *runtime_;
  }

  // Derived destructors call this first: device objects must go before the library they call
  // into, which the derived backend owns.
  void release_runtime() { runtime_.reset(); }

  const DeviceInfo& device_facts() const { return device_facts_; }

 private:
  DeviceInfo device_facts_;  // from prepare(): what expressions read
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace tuna::backends
