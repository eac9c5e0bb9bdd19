#include "eval/device_worker.hpp"

#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "base/epoch_seconds.hpp"
#include "core/codec.hpp"
#include "eval/device_selection.hpp"
#include "base/one_line.hpp"
#include "tuna/errors.hpp"

namespace tuna::eval {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kStartTimeout{60000};

milliseconds to_ms(double seconds) { return milliseconds(static_cast<long long>(seconds * 1000)); }

std::string reference_what(const KernelSpec& spec) {
  switch (spec.check.reference) {
    case Reference::Kernel:
      return "the reference kernel '" + spec.check.reference_entry + "'";
    case Reference::Expected:
      return "the expected outputs (the arguments' expected files)";
    default:
      return "the default config (the reference for correctness)";
  }
}

bool checking(const KernelSpec& spec) { return spec.check.reference != Reference::None; }

Result fill_from_reply(Result result, const json& reply) {
  if (!reply.contains("status")) {
    if (!reply.value("user_error", false)) {
      throw InternalError("bench worker: " + reply.value("error", reply.dump()));
    }
    result.status = Status::RuntimeError;
    result.error_class = "runtime_error";
    result.message = one_line(reply.value("error", std::string()));
    return result;
  }
  result.status = *status_from_name(reply.at("status").get<std::string>());
  result.error_class = reply.at("error_class").get<std::string>();
  result.message = one_line(reply.at("message").get<std::string>());
  result.times_ms = reply.at("times_ms").get<std::vector<double>>();
  // JSON has no infinity: an error of inf (a NaN where a number was expected) arrives as null.
  const json& error = reply.at("max_abs_error");
  result.max_abs_error = error.is_number() ? error.get<double>() : INFINITY;
  for (auto& [name, value] : reply.at("resources").items()) result.resources[name] = value;
  if (result.ok()) result.median_ms = median_of(result.times_ms);
  return result;
}

}  // namespace

DeviceWorker::DeviceWorker(WorkerOptions options, std::string selector, const KernelSpec* spec)
    : worker_(std::move(options)), selector_(std::move(selector)), spec_(spec) {}

// The bench worker's process and its device context: whatever the device waits for before
// anything of the run can start.
DeviceInfo DeviceWorker::start_worker() {
  const double started = epoch_seconds();
  DeviceInfo reported = worker_.start(kStartTimeout);
  phase_s_["start"] += epoch_seconds() - started;
  return reported;
}

void DeviceWorker::add_phases(const json& reply) {
  if (!reply.contains("phases_ms") || !reply.at("phases_ms").is_object()) return;
  for (const auto& [phase, ms] : reply.at("phases_ms").items())
    if (ms.is_number()) phase_s_[phase] += ms.get<double>() / 1000;
}

const DeviceInfo& DeviceWorker::start() {
  DeviceInfo reported = start_worker();
  device_ = spec_ ? device_for_spec(*spec_, reported) : std::move(reported);
  label_ = device_label(device_, selector_);
  return device_;
}

void DeviceWorker::ensure_prepared(const DeviceWorkerSetup& setup) {
  if (worker_.running() && prepared_) return;
  prepared_ = false;
  if (!worker_.running()) start_worker();
  // The reference compiles (in the compile pool) while the worker makes the arguments: both
  // stand between the start and the first config's run.
  std::future<Artifact> reference;
  if (checking(*setup.spec) && setup.spec->check.reference != Reference::Expected)
    reference = std::async(std::launch::async, setup.reference);
  json prepare = {{"cmd", "prepare"},
                  {"spec_toml", setup.spec_toml},
                  {"origin", setup.spec->spec_path.string()},
                  {"seed", setup.seed}};
  WorkerReply prepared = worker_.call(prepare, to_ms(setup.run_timeout_s + 60));
  expect_ok(prepared, "preparing the kernel's arguments");
  add_phases(prepared.message);
  if (checking(*setup.spec)) make_reference(setup, reference);
  prepared_ = true;
}

void DeviceWorker::prepare_ahead(const DeviceWorkerSetup& setup) noexcept {
  try {
    ensure_prepared(setup);
  } catch (...) {
    ahead_error_ = std::current_exception();  // ensure_prepared left prepared_ false
  }
}

void DeviceWorker::make_reference(const DeviceWorkerSetup& setup,
                                  std::future<Artifact>& compiling) {
  json request = {{"cmd", "reference"}};
  // Expected outputs come from files the worker reads: nothing to compile or run.
  if (setup.spec->check.reference != Reference::Expected) {
    const double started = epoch_seconds();
    TUNA_ASSERT(compiling.valid(), "the reference's compile was not started");
    request["artifact"] = codec::to_json(compiling.get());
    phase_s_["reference_compile"] += epoch_seconds() - started;
    request["config_key"] = setup.reference_key;
  }
  WorkerReply reply = worker_.call(request, to_ms(setup.run_timeout_s));
  std::string what = reference_what(*setup.spec);
  if (reply.kind != WorkerReply::Kind::Reply) {
    throw UserError(fmt::format("{} failed on {}: {}. Nothing can be checked without a "
                                "reference: fix it, or set [check] reference = \"none\".",
                                what, label_, reply.detail));
  }
  const bool expected = setup.spec->check.reference == Reference::Expected;
  expect_ok(reply, (expected ? "reading " : "running ") + what);
  add_phases(reply.message);
}

// A reply that is not {ok: true} while setting up is fatal: a user error or a bug.
void DeviceWorker::expect_ok(const WorkerReply& reply, const std::string& doing) const {
  if (reply.kind != WorkerReply::Kind::Reply) {
    throw UserError(fmt::format("the bench worker of {} failed while {}: {}", label_, doing,
                                reply.detail));
  }
  if (reply.message.value("ok", false)) return;
  std::string error = reply.message.value("error", reply.message.value("message", std::string()));
  if (reply.message.value("user_error", true)) {
    throw UserError(fmt::format("while {} on {}: {}", doing, label_, error));
  }
  throw InternalError(fmt::format("bench worker of {}, while {}: {}", label_, doing, error));
}

Result DeviceWorker::run(Result result, const CompileOutcome& compiled, bool check,
                         const TimingOptions& timing, const DeviceWorkerSetup& setup) {
  result.device = label_;
  result.compile_ms = compiled.cached ? 0 : compiled.compile_ms;
  result.resources = compiled.artifact.resources;
  if (ahead_error_) std::rethrow_exception(std::exchange(ahead_error_, nullptr));
  ensure_prepared(setup);
  json request = {{"cmd", "run"},
                  {"artifact", codec::to_json(compiled.artifact)},
                  {"config_key", result.key},
                  {"timing", codec::to_json(timing)},
                  {"check", check && checking(*setup.spec)}};
  WorkerReply reply = worker_.call(request, to_ms(setup.run_timeout_s));
  result.finished_at = epoch_seconds();
  switch (reply.kind) {
    case WorkerReply::Kind::TimedOut:
      result.status = Status::Timeout;
      result.error_class = "timeout";
      result.message = fmt::format("did not finish within {:g} s; the bench worker was killed",
                                   setup.run_timeout_s);
      return result;
    case WorkerReply::Kind::Died:
      result.status = Status::RuntimeError;
      result.error_class = reply.error_class;
      result.message = one_line(reply.detail);
      return result;
    case WorkerReply::Kind::Reply:
      break;
  }
  // The config broke the device context and the worker is exiting (worker_protocol.hpp): reap
  // it now so the next config starts in a fresh one.
  if (reply.message.value("fatal", false)) worker_.stop();
  add_phases(reply.message);
  return fill_from_reply(std::move(result), reply.message);
}

}  // namespace tuna::eval
