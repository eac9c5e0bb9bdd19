#include "backends/host/host_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "backends/common/outcomes.hpp"
#include "backends/common/timing_loop.hpp"
#include "backends/host/host_arguments.hpp"
#include "backends/host/host_shim.hpp"
#include "backends/host/library_cache.hpp"
#include "backends/host/system_compiler.hpp"
#include "tuna/errors.hpp"

namespace tuna::host {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Copies each constant argument into its global of `library`, found through the shim's
// accessor (host_shim.hpp). Before every run, not once per library: a host kernel can write its
// globals, and this way every run starts from the argument's data, as inputs do. A failure is
// the config's: the global is smaller than the data, or the library lacks the accessor.
std::optional<RunOutcome> copy_constants(const backends::SharedLibrary& library,
                                         const std::filesystem::path& path,
                                         const std::vector<backends::ConstantArgument>& constants) {
  using Accessor = void (*)(void**, std::uint64_t*);
  for (const backends::ConstantArgument& constant : constants) {
    const Argument& arg = *constant.arg;
    const std::string accessor_name = kConstantSymbolPrefix + arg.name;
    std::string why;
    void* found = library.symbol(accessor_name, why);
    if (found == nullptr)
      return backends::run_failure(
          "load_error", fmt::format("no symbol {} in {} for args.{} (role = \"constant\"): {}",
                                    accessor_name, path.filename().string(), arg.name, why));
    void* address = nullptr;
    std::uint64_t capacity = 0;
    reinterpret_cast<Accessor>(found)(&address, &capacity);
    const std::vector<unsigned char>& bytes = *constant.bytes;
    if (bytes.size() > capacity)
      return backends::run_failure(
          "constant_size",
          backends::constant_too_large(constant, static_cast<std::size_t>(capacity), ""));
    std::memcpy(address, bytes.data(), bytes.size());
  }
  return std::nullopt;
}

}  // namespace

struct HostBackend::RunState {
  explicit RunState(std::size_t max_loaded_libraries) : libraries(max_loaded_libraries) {}
  HostArguments arguments{HostMemory{}};
  LibraryCache libraries;
  AlignedBytes flush_buffer;
  unsigned char flush_value = 0;
};

HostBackend::HostBackend(HostBackendOptions options)
    : options_(std::move(options)),
      state_(std::make_unique<RunState>(options_.max_loaded_libraries)) {
  if (options_.cxx.empty()) options_.cxx = compiler_command_from_environment();
}

HostBackend::~HostBackend() = default;

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
  state_->arguments.prepare(spec, device, seed, accept_host_argument);
}

void HostBackend::reset_outputs() { state_->arguments.reset_outputs(); }

std::vector<OutputBuffer> HostBackend::read_outputs() { return state_->arguments.read_outputs(); }

RunOutcome HostBackend::run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                            const Config& config, const TimingOptions& timing) {
  TUNA_ASSERT(device_.has_value() && state_->arguments.prepared(),
              "HostBackend::run before prepare");
  const backends::SharedLibrary& library = state_->libraries.open(artifact.path);
  if (!library.valid())
    return backends::run_failure(
        "load_error",
        fmt::format("cannot load {}: {}", artifact.path.filename().string(), library.error()));
  std::string why;
  void* address = library.symbol(artifact.symbol, why);
  if (address == nullptr)
    return backends::run_failure("load_error",
                                 fmt::format("no symbol {} in {}: {}", artifact.symbol,
                                             artifact.path.filename().string(), why));
  if (auto failure = copy_constants(library, artifact.path, state_->arguments.constants()))
    return *failure;
  // The shim defines every entry point as `extern "C" void (void**)`.
  auto entry = reinterpret_cast<EntryFunction>(address);
  std::vector<void*> args =
      state_->arguments.pointers(spec.env_for(space, config, *device_),
                                 [](AlignedBytes& bytes) -> void* { return bytes.data(); });

  // A C++ exception thrown by the kernel reaches us through the shim (GCC and Clang let it pass
  // extern "C" frames). It is the config's failure, not tuna's: report it and stay usable.
  RunOutcome outcome;
  try {
    outcome.times_ms = time_entry(entry, args.data(), timing);
  } catch (const std::exception& e) {
    return backends::run_failure("exception",
                                 fmt::format("the kernel threw an exception: {}", e.what()));
  } catch (...) {
    return backends::run_failure("exception",
                                 "the kernel threw an exception that is not a std::exception");
  }
  outcome.ok = true;
  return outcome;
}

std::vector<double> HostBackend::time_entry(EntryFunction entry, void** args,
                                            const TimingOptions& timing) {
  backends::TimedLaunches launches;
  launches.max_chunk = 1;  // one call at a time: the budget is checked before each
  launches.warm_up = [&](int count) {
    for (int i = 0; i < count; ++i) entry(args);
    return 0.0;
  };
  launches.run_chunk = [&](int count, std::vector<double>& times) {
    for (int i = 0; i < count; ++i) {
      if (timing.flush_cache) flush_caches();
      Clock::time_point start = Clock::now();
      entry(args);
      Clock::time_point stop = Clock::now();
      times.push_back(milliseconds_between(start, stop));
    }
  };
  return backends::time_repetitions(launches, timing);
}

void HostBackend::flush_caches() {
  if (state_->flush_buffer.size() == 0) {
    std::size_t bytes = options_.flush_bytes;
    if (bytes == 0) {
      std::call_once(cpu_once_, [&] { cpu_ = read_cpu_facts(); });
      std::int64_t largest = std::max({cpu_.l1d_bytes, cpu_.l2_bytes, cpu_.l3_bytes});
      constexpr std::size_t kMinFlush = std::size_t{8} << 20, kUnknownFlush = std::size_t{64} << 20;
      bytes =
          largest > 0 ? std::max(kMinFlush, static_cast<std::size_t>(2 * largest)) : kUnknownFlush;
    }
    state_->flush_buffer = AlignedBytes(bytes);
  }
  // A different value each time: every line is really written, evicting the kernel's data.
  std::memset(state_->flush_buffer.data(), ++state_->flush_value, state_->flush_buffer.size());
}

std::unique_ptr<Backend> make_host_backend() { return std::make_unique<HostBackend>(); }

}  // namespace tuna::host
