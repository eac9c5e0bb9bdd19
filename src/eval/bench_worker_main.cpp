#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>

#include "backends/common/device_failure.hpp"
#include "core/codec.hpp"
#include "eval/correctness.hpp"
#include "eval/message_channel.hpp"
#include "eval/worker_protocol.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"

namespace tuna::eval {
namespace {

using nlohmann::json;

// Milliseconds of each step of a command, for the reply's "phases_ms" (the time split's
// worker_phases_s: where a bench worker's time goes besides the kernels).
class PhaseClock {
 public:
  void lap(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    phases_[phase] = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
  }
  json into(json reply) const {
    reply["phases_ms"] = phases_;
    return reply;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  json phases_ = json::object();
};

// Everything the worker holds between commands.
class WorkerState {
 public:
  json handle(const json& request) {
    const std::string cmd = request.at("cmd").get<std::string>();
    if (cmd == "hello") return hello(request);
    if (cmd == "prepare") return prepare(request);
    if (cmd == "reference") return reference(request);
    if (cmd == "run") return run(request);
    throw InternalError("bench worker: unknown command '" + cmd + "'");
  }

  // Set once a run failed in a way that broke the device: the worker must exit after replying.
  bool must_exit() const { return must_exit_; }

 private:
  json hello(const json& request) {
    backend_ = make_backend(request.at("backend").get<std::string>());
    device_ = backend_->device_info();
    return {{"ok", true}, {"device", codec::to_json(device_)}};
  }

  json prepare(const json& request) {
    require_backend();
    PhaseClock clock;
    spec_ = parse_spec(request.at("spec_toml").get<std::string>(),
                       request.at("origin").get<std::string>());
    // The worker learnt its device before it had a spec: a sim spec's [device] replaces it now,
    // as the parent's DeviceWorker did, so `device.*` in constraints reads the recorded device.
    device_ = device_for_spec(*spec_, device_);
    space_ = spec_->make_space(device_);
    clock.lap("spec");
    backend_->prepare(*spec_, device_, request.at("seed").get<std::uint64_t>());
    clock.lap("arguments");
    return clock.into({{"ok", true}});
  }

  json reference(const json& request) {
    require_prepared();
    PhaseClock clock;
    if (spec_->check.reference == Reference::Expected) {
      Env sizes = spec_->constants;
      sizes.merge(device_.as_env());
      keep_reference(expected_reference(*spec_, sizes));
      clock.lap("reference_kept");
      return clock.into({{"ok", true}});
    }
    Artifact artifact = codec::artifact_from_json(request.at("artifact"));
    Config config = space_.parse_key(request.at("config_key").get<std::string>());
    backend_->reset_outputs();
    RunOutcome once = backend_->run(artifact, *spec_, space_, config, single_run());
    clock.lap("reference_run");
    if (!once.ok) return mark_fatal(codec::to_json(once), once);
    keep_reference(std::nullopt);
    clock.lap("reference_kept");
    return clock.into(codec::to_json(once));
  }

  // Where a GPU backend can, the reference stays on the device (the outputs, or `expected`
  // uploaded) and checks run there; otherwise it is kept here and the outputs come to the host.
  void keep_reference(std::optional<ReferenceOutputs> expected) {
    host_reference_.reset();
    reference_on_device_ =
        backend_->keep_reference_on_device(expected ? &expected->buffers : nullptr);
    if (reference_on_device_) return;
    host_reference_ =
        expected ? std::move(*expected) : make_reference_outputs(backend_->read_outputs());
  }

  CheckOutcome check_run() {
    if (reference_on_device_)
      return outcome_of(backend_->check_on_device(spec_->check.atol, spec_->check.rtol));
    return check_outputs(*host_reference_, backend_->read_outputs(), spec_->check.atol,
                         spec_->check.rtol);
  }

  json run(const json& request) {
    require_prepared();
    Artifact artifact = codec::artifact_from_json(request.at("artifact"));
    Config config = space_.parse_key(request.at("config_key").get<std::string>());
    TimingOptions timing = codec::timing_from_json(request.at("timing"));
    json reply = {{"status", "ok"}, {"times_ms", json::array()}, {"max_abs_error", 0.0},
                  {"resources", json::object()}, {"error_class", ""}, {"message", ""}};
    PhaseClock clock;
    if (request.at("check").get<bool>()) {
      TUNA_ASSERT(reference_on_device_ || host_reference_.has_value(),
                  "run with check before a reference was made");
      backend_->reset_outputs();
      clock.lap("restore");
      // The first run of an artifact also loads it.
      RunOutcome once = backend_->run(artifact, *spec_, space_, config, single_run());
      clock.lap("checked_run");
      if (!once.ok) return clock.into(failure(reply, once));
      CheckOutcome check;
      try {
        check = check_run();
      } catch (const backends::DeviceFailure& failed) {
        // The device refused the check itself (reading the outputs back, or the compare
        // kernel): this config's run failed, as a failed launch would.
        RunOutcome outcome;
        outcome.error_class = failed.name();
        outcome.message = fmt::format("checking the outputs: {}", failed.what());
        outcome.fatal = failed.fatal();
        return clock.into(failure(reply, outcome));
      }
      clock.lap("check");
      reply["max_abs_error"] = check.max_abs_error;
      if (!check.ok) {
        reply["status"] = status_name(Status::WrongResult);
        reply["error_class"] = "mismatch";
        reply["message"] = check.message;
        return clock.into(reply);
      }
    }
    RunOutcome timed = backend_->run(artifact, *spec_, space_, config, timing);
    clock.lap("timed_runs");
    if (!timed.ok) return clock.into(failure(reply, timed));
    reply["times_ms"] = timed.times_ms;
    reply["resources"] = timed.resources;
    return clock.into(reply);
  }

  static TimingOptions single_run() {
    TimingOptions t;
    t.warmup = 0;
    t.min_repetitions = 1;
    t.max_repetitions = 1;
    t.budget_ms = 0;
    return t;
  }

  json failure(json reply, const RunOutcome& outcome) {
    reply["status"] = status_name(Status::RuntimeError);
    reply["error_class"] = outcome.error_class.empty() ? "runtime_error" : outcome.error_class;
    reply["message"] = outcome.message;
    return mark_fatal(std::move(reply), outcome);
  }

  json mark_fatal(json reply, const RunOutcome& outcome) {
    if (outcome.fatal) {
      reply["fatal"] = true;
      must_exit_ = true;
    }
    return reply;
  }

  void require_backend() const { TUNA_ASSERT(backend_ != nullptr, "worker: no hello yet"); }
  void require_prepared() const { TUNA_ASSERT(spec_.has_value(), "worker: not prepared"); }

  std::unique_ptr<Backend> backend_;
  DeviceInfo device_;
  std::optional<KernelSpec> spec_;
  Space space_;
  bool reference_on_device_ = false;                // the backend checks (keep_reference)
  std::optional<ReferenceOutputs> host_reference_;  // otherwise, the reference here
  bool must_exit_ = false;
};

}  // namespace

int bench_worker_main() {
  WorkerState state;
  while (true) {
    ReadResult request = read_message(kRequestFd, std::chrono::milliseconds(-1));
    if (request.status != ReadStatus::Ok) return 0;  // the parent is gone: nothing to do
    if (request.message.value("cmd", "") == "exit") return 0;
    json reply;
    try {
      reply = state.handle(request.message);
    } catch (const UserError& e) {
      reply = {{"ok", false}, {"user_error", true}, {"error", e.what()}};
    } catch (const std::exception& e) {
      reply = {{"ok", false}, {"user_error", false}, {"error", e.what()}};
    }
    if (!write_message(kReplyFd, reply)) return 0;
    if (state.must_exit()) return 0;
  }
}

}  // namespace tuna::eval
