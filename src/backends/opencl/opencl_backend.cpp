#include "backends/opencl/opencl_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "backends/common/artifact_files.hpp"
#include "backends/common/artifact_manifest.hpp"
#include "backends/common/device_backend.hpp"
#include "backends/common/device_check_support.hpp"
#include "backends/common/outcomes.hpp"
#include "backends/opencl/device_check.hpp"
#include "backends/opencl/opencl_buffers.hpp"
#include "backends/opencl/opencl_compiler.hpp"
#include "backends/opencl/opencl_device.hpp"
#include "backends/opencl/opencl_timing.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

constexpr std::size_t kLoadedPrograms = 16;
// Everything the worker holds on the device between commands, destroyed in reverse order: the
// context, declared first, outlives everything created in it.
struct Runtime {
  Runtime(const OpenClApi& api, cl_device_id device)
      : context(make_context(api, device)),
        queue(make_queue(api, context.get(), device, true)),
        programs(api, context.get(), device, kLoadedPrograms),
        arguments(OpenClMemory{&api, context.get(), queue.get()}) {}
  Context context;
  Queue queue;
  ProgramCache programs;
  OpenClArguments arguments;
  MemObject flush_buffer;
  std::size_t flush_bytes = 0;
  unsigned char flush_value = 0;
  std::string source_text;
  std::optional<ClDeviceCheck> check;  // the check on the device, once the reference is kept
};

class OpenClBackend final : public backends::DeviceBackend<Runtime> {
 public:
  OpenClBackend() : api_(std::make_unique<OpenClApi>()), choice_(select_device(*api_)) {}
  ~OpenClBackend() override { release_runtime(); }

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
      return backends::compile_error_outcome(failure.what(), "");
    }
  }

  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) override {
    prepare_runtime(
        device,
        [&] {
          auto runtime = std::make_unique<Runtime>(*api_, choice_.device);
          runtime->source_text = backends::read_kernel_source(spec.source);
          runtime->arguments.prepare(spec, device, seed, accept_opencl_argument);
          return runtime;
        },
        [](const backends::DeviceFailure& failure) { return std::string(failure.what()); },
        "If the device is out of memory, reduce the problem size.");
  }

  // Where the device is no CPU and can (doubles and 64-bit atomics), the reference stays on it
  // and each checked run is compared there (device_check.hpp); otherwise, or when the check
  // kernels cannot be built, the outputs are compared on the host as before.
  bool keep_reference_on_device(const std::vector<OutputBuffer>* expected) override {
    if (!backends::device_check_enabled() || !worth_checking_on(*api_, choice_.device) ||
        !device_check_unsupported(*api_, choice_.device).empty())
      return false;
    Runtime& rt = prepared_runtime();
    try {
      const std::vector<ClDeviceOutput> outputs = device_outputs(rt);
      if (!rt.check)
        rt.check.emplace(*api_, rt.context.get(), choice_.device, rt.queue.get(),
                         backends::dtypes_of(outputs));
      rt.check->keep(outputs, expected);
      return true;
    } catch (const ClFailure&) {  // no memory for the copy, or the kernels do not build
    }
    rt.check.reset();
    return false;
  }

  std::vector<BufferCheck> check_on_device(double atol, double rtol) override {
    Runtime& rt = prepared_runtime();
    TUNA_ASSERT(rt.check.has_value(), "check_on_device before keep_reference_on_device");
    return rt.check->compare(device_outputs(rt), atol, rtol);
  }

 private:
  static std::vector<ClDeviceOutput> device_outputs(Runtime& rt) {
    return backends::read_back_outputs<ClDeviceOutput>(rt.arguments.slots());
  }

  // Whether the queue still works after a failed enqueue: a failure that broke it must cost
  // the worker, not the next config.
  bool queue_broken() { return api_->finish(prepared_runtime().queue.get()) != CL_SUCCESS; }

  RunOutcome run_prepared(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                          const Config& config, const TimingOptions& timing) override {
    Runtime& rt = prepared_runtime();
    const std::string symbol = backends::resolve_symbol(artifact, spec, "program", "__kernel");
    cl_kernel kernel = rt.programs.kernel(artifact.path, symbol, rt.source_text);
    const Env env = spec.env_for(space, config, device_facts());
    const LaunchDims dims = launch_dims(spec.launch, env);
    const std::size_t dynamic_local = static_cast<std::size_t>(dims.shared_memory_bytes);

    cl_uint kernel_args = 0;
    check(api_->get_kernel_info(kernel, CL_KERNEL_NUM_ARGS, sizeof kernel_args, &kernel_args,
                                nullptr),
          "reading the kernel's parameter count");
    const std::size_t expected = rt.arguments.count() + (dynamic_local > 0 ? 1 : 0);
    if (kernel_args != expected)
      return backends::run_failure(
          "CL_INVALID_KERNEL_ARGS",
          fmt::format(
              "{} has {} parameters but the spec passes {} ({} in [args]{}); make them "
              "agree",
              symbol, kernel_args, expected, rt.arguments.count(),
              dynamic_local > 0 ? " plus one __local buffer for launch.shared_memory" : ""));

    RunOutcome outcome;
    // Read before the __local argument is set: CL_KERNEL_LOCAL_MEM_SIZE counts it once set.
    outcome.resources = kernel_resources(*api_, kernel, choice_.device);
    outcome.resources["dynamic_shared_bytes"] = static_cast<double>(dynamic_local);
    bind_arguments(*api_, rt.arguments, kernel, env);
    if (dynamic_local > 0)
      check(
          api_->set_kernel_arg(kernel, static_cast<cl_uint>(rt.arguments.count()), dynamic_local,
                               nullptr),
          fmt::format("passing {} bytes of __local memory (launch.shared_memory)", dynamic_local));

    std::size_t global[3];
    std::size_t local[3];
    for (int d = 0; d < 3; ++d) {
      global[d] = static_cast<std::size_t>(dims.global[d]);
      local[d] = static_cast<std::size_t>(dims.block[d]);
    }
    const cl_command_queue queue = rt.queue.get();
    TimedWork work;
    work.launch = [&] {
      cl_event event = nullptr;
      const cl_int status = api_->enqueue_nd_range_kernel(queue, kernel, 3, nullptr, global, local,
                                                          0, nullptr, &event);
      if (status != CL_SUCCESS)
        throw ClFailure(status,
                        fmt::format("launching {} (global {}x{}x{}, local {}x{}x{})", symbol,
                                    global[0], global[1], global[2], local[0], local[1], local[2]),
                        queue_broken());
      return Event(event, api_->release_event);
    };
    if (timing.flush_cache) work.flush = [&] { flush_cache(queue); };
    outcome.times_ms = time_launches(*api_, work, timing);
    outcome.ok = true;
    return outcome;
  }

  void flush_cache(cl_command_queue queue) {
    Runtime& rt = prepared_runtime();
    if (!rt.flush_buffer) {
      // Twice what the device calls its global memory cache, and no less than 64 MiB, which is
      // larger than the last-level cache of the CPUs and GPUs tuna meets.
      constexpr std::int64_t kMinimum = std::int64_t{64} << 20;
      rt.flush_bytes = static_cast<std::size_t>(
          std::max(kMinimum, 2 * backends::device_fact_int(device_facts(), "global_cache_bytes")));
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
};

}  // namespace

std::unique_ptr<Backend> make_opencl_backend() { return std::make_unique<OpenClBackend>(); }

}  // namespace tuna::opencl
