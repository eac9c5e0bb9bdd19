#include "backends/host/host_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>

#include "backends/host/host_compiler.hpp"
#include "tuna/errors.hpp"

namespace tuna::host {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

RunOutcome run_failure(std::string error_class, std::string message) {
  RunOutcome outcome;
  outcome.ok = false;
  outcome.error_class = std::move(error_class);
  outcome.message = std::move(message);
  return outcome;
}

}  // namespace

HostBackend::HostBackend(HostBackendOptions options)
    : options_(std::move(options)), libraries_(options_.max_loaded_libraries) {
  if (options_.cxx.empty()) options_.cxx = compiler_command_from_environment();
}

const std::string& HostBackend::compiler_identity() const {
  std::call_once(identity_once_, [&] { identity_ = query_compiler_identity(options_.cxx); });
  return identity_;
}

DeviceInfo HostBackend::device_info() const {
  std::call_once(cpu_once_, [&] { cpu_ = read_cpu_facts(); });
  return make_host_device_info(cpu_, compiler_identity());
}

CompileOutcome HostBackend::compile(const KernelSpec& spec, const Space& space,
                                    const Config& config, const DeviceInfo& device,
                                    const std::filesystem::path& cache_dir) {
  CompileRequest request;
  request.cxx = options_.cxx;
  request.compiler_identity = compiler_identity();
  request.device_id = device.id;
  request.cache_dir = cache_dir;
  request.timeout_s = options_.compile_timeout_s;
  return compile_shared_object(spec, space, config, request);
}

void HostBackend::prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) {
  device_ = device;
  arguments_.prepare(spec, device, seed);
}

void HostBackend::reset_outputs() { arguments_.reset_outputs(); }

std::vector<OutputBuffer> HostBackend::read_outputs() { return arguments_.read_outputs(); }

RunOutcome HostBackend::run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                            const Config& config, const TimingOptions& timing) {
  TUNA_ASSERT(device_.has_value() && arguments_.prepared(), "HostBackend::run before prepare");
  const SharedLibrary& library = libraries_.open(artifact.path);
  if (!library.valid())
    return run_failure(
        "load_error",
        fmt::format("cannot load {}: {}", artifact.path.filename().string(), library.error()));
  std::string why;
  void* address = library.symbol(artifact.symbol, why);
  if (address == nullptr)
    return run_failure("load_error", fmt::format("no symbol {} in {}: {}", artifact.symbol,
                                                 artifact.path.filename().string(), why));
  // The shim defines every entry point as `extern "C" void (void**)`.
  auto entry = reinterpret_cast<EntryFunction>(address);
  std::vector<void*> args = arguments_.bind(spec.env_for(space, config, *device_));

  // A C++ exception thrown by the kernel reaches us through the shim (GCC and Clang let it pass
  // extern "C" frames). It is the config's failure, not tuna's: report it and stay usable.
  RunOutcome outcome;
  try {
    outcome.times_ms = time_repetitions(entry, args.data(), timing);
  } catch (const std::exception& e) {
    return run_failure("exception", fmt::format("the kernel threw an exception: {}", e.what()));
  } catch (...) {
    return run_failure("exception", "the kernel threw an exception that is not a std::exception");
  }
  outcome.ok = true;
  return outcome;
}

std::vector<double> HostBackend::time_repetitions(EntryFunction entry, void** args,
                                                  const TimingOptions& timing) {
  for (int i = 0; i < timing.warmup; ++i) entry(args);
  const int max_repetitions = std::max(1, timing.max_repetitions);
  const int min_repetitions = std::clamp(timing.min_repetitions, 1, max_repetitions);
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(std::min(max_repetitions, 4096)));
  // The budget counts the whole timing phase (flushes included): it bounds wall time.
  const Clock::time_point phase_start = Clock::now();
  while (static_cast<int>(times.size()) < max_repetitions) {
    if (static_cast<int>(times.size()) >= min_repetitions &&
        milliseconds_between(phase_start, Clock::now()) >= timing.budget_ms)
      break;
    if (timing.flush_cache) flush_caches();
    Clock::time_point start = Clock::now();
    entry(args);
    Clock::time_point stop = Clock::now();
    times.push_back(milliseconds_between(start, stop));
  }
  return times;
}

void HostBackend::flush_caches() {
  if (flush_buffer_.size() == 0) {
    std::size_t bytes = options_.flush_bytes;
    if (bytes == 0) {
      std::call_once(cpu_once_, [&] { cpu_ = read_cpu_facts(); });
      std::int64_t largest = std::max({cpu_.l1d_bytes, cpu_.l2_bytes, cpu_.l3_bytes});
      constexpr std::size_t kMinFlush = std::size_t{8} << 20, kUnknownFlush = std::size_t{64} << 20;
      bytes =
          largest > 0 ? std::max(kMinFlush, static_cast<std::size_t>(2 * largest)) : kUnknownFlush;
    }
    flush_buffer_ = AlignedBytes(bytes);
  }
  // A different value each time: every line is really written, evicting the kernel's data.
  std::memset(flush_buffer_.data(), ++flush_value_, flush_buffer_.size());
}

std::unique_ptr<Backend> make_host_backend() { return std::make_unique<HostBackend>(); }

}  // namespace tuna::host
