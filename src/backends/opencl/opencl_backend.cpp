#include "backends/opencl/opencl_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "backends/artifact_files.hpp"
#include "backends/opencl/build_log.hpp"
#include "backends/opencl/opencl_buffers.hpp"
#include "backends/opencl/opencl_compiler.hpp"
#include "backends/opencl/opencl_device.hpp"
#include "backends/opencl/opencl_timing.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

constexpr std::size_t kLoadedPrograms = 16;
// The symbol the evaluator asks for when it wants the reference kernel (see the host backend).
constexpr const char* kReferenceSymbol = "tuna_reference";

RunOutcome run_failure(std::string error_class, std::string message, bool fatal = false) {
  RunOutcome outcome;
  outcome.ok = false;
  outcome.error_class = std::move(error_class);
  outcome.message = std::move(message);
  outcome.fatal = fatal;
  return outcome;
}

std::int64_t fact_int(const DeviceInfo& device, const char* name) {
  const Value* value = device.facts.find(name);
  return value == nullptr || value->is_string() ? 0 : value->as_int();
}

// Everything the worker holds on the device between commands, destroyed in reverse order: the
// context, declared first, outlives everything created in it.
struct Runtime {
  Runtime(const OpenClApi& api, cl_device_id device)
      : context(make_context(api, device)),
        queue(make_queue(api, context.get(), device, true)),
        programs(api, context.get(), device, kLoadedPrograms),
        arguments(api, context.get(), queue.get()) {}
  Context context;
  Queue queue;
  ProgramCache programs;
  OpenClArguments arguments;
  MemObject flush_buffer;
  std::size_t flush_bytes = 0;
  unsigned char flush_value = 0;
  std::string source_text;
};

class OpenClBackend final : public Backend {
 public:
  OpenClBackend() : api_(std::make_unique<OpenClApi>()), choice_(select_device(*api_)) {}
  ~OpenClBackend() override {
    // Release OpenCL objects before the loader they call into.
    runtime_.reset();
  }

  std::string name() const override { return "opencl"; }

  DeviceInfo device_info() const override {
    std::call_once(info_once_, [&] {
      info_ = query_device_info(*api_, choice_);
      if (!api_->registration_note().empty())
        info_.facts.set("icd_registration", api_->registration_note());
    });
    return info_;
  }

  CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                         const DeviceInfo& device,
                         const std::filesystem::path& cache_dir) override {
    try {
      return compile_program(*api_, choice_.device, spec, space, config, device, cache_dir);
    } catch (const ClFailure& failure) {
      CompileOutcome outcome;
      outcome.error_class = "compile_error";
      outcome.message = failure.what();
      return outcome;
    }
  }

  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) override {
    device_facts_ = device;
    runtime_.reset();
    try {
      runtime_ = std::make_unique<Runtime>(*api_, choice_.device);
      runtime_->source_text = backends::read_kernel_source(spec.source);
      runtime_->arguments.prepare(spec, device, seed);
    } catch (const ClFailure& failure) {
      runtime_.reset();
      throw UserError(fmt::format(
          "opencl backend: cannot set up the kernel's arguments on {}: {}. If the device is out "
          "of memory, reduce the problem size.",
          device.name, failure.what()));
    }
  }

  void reset_outputs() override {
    TUNA_ASSERT(runtime_ != nullptr, "OpenClBackend::reset_outputs before prepare");
    runtime_->arguments.reset_outputs();
  }

  std::vector<OutputBuffer> read_outputs() override {
    TUNA_ASSERT(runtime_ != nullptr, "OpenClBackend::read_outputs before prepare");
    return runtime_->arguments.read_outputs();
  }

  RunOutcome run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                 const Config& config, const TimingOptions& timing) override {
    TUNA_ASSERT(runtime_ != nullptr && runtime_->arguments.prepared(),
                "OpenClBackend::run before prepare");
    try {
      return run_prepared(artifact, spec, space, config, timing);
    } catch (const ClFailure& failure) {
      return run_failure(failure.name(), failure.what(), failure.fatal());
    }
  }

 private:
  std::string resolve_symbol(const Artifact& artifact, const KernelSpec& spec) const {
    if (artifact.symbol != kReferenceSymbol) return artifact.symbol;
    std::string symbol = read_manifest(artifact.path).reference;
    if (symbol.empty())
      throw UserError(fmt::format(
          "the program {} has no reference kernel: check.reference = \"kernel\" needs "
          "check.kernel (now '{}') to name a __kernel function of {}.",
          artifact.path.filename().string(), spec.check.reference_entry,
          spec.source.filename().string()));
    return symbol;
  }

  // Whether the queue still works after a failed enqueue: a failure that broke it must cost
  // the worker, not the next config.
  bool queue_broken() const { return api_->finish(runtime_->queue.get()) != CL_SUCCESS; }

  RunOutcome run_prepared(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                          const Config& config, const TimingOptions& timing) {
    const std::string symbol = resolve_symbol(artifact, spec);
    cl_kernel kernel = runtime_->programs.kernel(artifact.path, symbol, runtime_->source_text);
    const Env env = spec.env_for(space, config, device_facts_);
    const LaunchDims dims = launch_dims(spec.launch, env);
    const std::size_t dynamic_local = static_cast<std::size_t>(dims.shared_memory_bytes);

    cl_uint kernel_args = 0;
    check(api_->get_kernel_info(kernel, CL_KERNEL_NUM_ARGS, sizeof kernel_args, &kernel_args,
                                nullptr),
          "reading the kernel's parameter count");
    const std::size_t expected = runtime_->arguments.count() + (dynamic_local > 0 ? 1 : 0);
    if (kernel_args != expected)
      return run_failure(
          "CL_INVALID_KERNEL_ARGS",
          fmt::format("{} has {} parameters but the spec passes {} ({} in [args]{}); make them "
                      "agree",
                      symbol, kernel_args, expected, runtime_->arguments.count(),
                      dynamic_local > 0 ? " plus one __local buffer for launch.shared_memory"
                                        : ""));

    RunOutcome outcome;
    // Read before the __local argument is set: CL_KERNEL_LOCAL_MEM_SIZE counts it once set.
    outcome.resources = kernel_resources(*api_, kernel, choice_.device);
    outcome.resources["dynamic_shared_bytes"] = static_cast<double>(dynamic_local);
    runtime_->arguments.bind(kernel, env);
    if (dynamic_local > 0)
      check(api_->set_kernel_arg(kernel, static_cast<cl_uint>(runtime_->arguments.count()),
                                 dynamic_local, nullptr),
            fmt::format("passing {} bytes of __local memory (launch.shared_memory)",
                        dynamic_local));

    std::size_t global[3];
    std::size_t local[3];
    for (int d = 0; d < 3; ++d) {
      global[d] = static_cast<std::size_t>(dims.global[d]);
      local[d] = static_cast<std::size_t>(dims.block[d]);
    }
    const cl_command_queue queue = runtime_->queue.get();
    TimedWork work;
    work.launch = [&] {
      cl_event event = nullptr;
      const cl_int status = api_->enqueue_nd_range_kernel(queue, kernel, 3, nullptr, global,
                                                          local, 0, nullptr, &event);
      if (status != CL_SUCCESS)
        throw ClFailure(status,
                        fmt::format("launching {} (global {}x{}x{}, local {}x{}x{})", symbol,
                                    global[0], global[1], global[2], local[0], local[1],
                                    local[2]),
                        queue_broken());
      return Event(event, api_->release_event);
    };
    if (timing.flush_cache) work.flush = [&] { flush_cache(queue); };
    outcome.times_ms = time_launches(*api_, work, timing);
    outcome.ok = true;
    return outcome;
  }

  void flush_cache(cl_command_queue queue) {
    Runtime& rt = *runtime_;
    if (!rt.flush_buffer) {
      // Twice what the device calls its global memory cache, and no less than 64 MiB, which is
      // larger than the last-level cache of the CPUs and GPUs tuna meets.
      constexpr std::int64_t kMinimum = std::int64_t{64} << 20;
      rt.flush_bytes = static_cast<std::size_t>(
          std::max(kMinimum, 2 * fact_int(device_facts_, "global_cache_bytes")));
      cl_int status = CL_SUCCESS;
      rt.flush_buffer = MemObject(api_->create_buffer(rt.context.get(), CL_MEM_READ_WRITE,
                                                      rt.flush_bytes, nullptr, &status),
                                  api_->release_mem_object);
      check(status, "creating the cache-flush buffer");
    }
    // A new value each time, so every line is really written.
    ++rt.flush_value;
    check(api_->enqueue_fill_buffer(queue, rt.flush_buffer.get(), &rt.flush_value, 1, 0,
                                    rt.flush_bytes, 0, nullptr, nullptr),
          "flushing the cache");
  }

  std::unique_ptr<OpenClApi> api_;
  DeviceChoice choice_;
  mutable std::once_flag info_once_;
  mutable DeviceInfo info_;
  DeviceInfo device_facts_;  // from prepare(): what expressions read
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace

std::unique_ptr<Backend> make_opencl_backend() { return std::make_unique<OpenClBackend>(); }

}  // namespace tuna::opencl
