#include "backends/cuda/cuda_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "backends/common/artifact_manifest.hpp"
#include "backends/common/device_backend.hpp"
#include "backends/common/device_check_support.hpp"
#include "backends/common/outcomes.hpp"
#include "backends/common/argument_layout.hpp"
#include "backends/cuda/check_kernels.hpp"
#include "backends/cuda/constant_symbols.hpp"
#include "backends/cuda/cuda_buffers.hpp"
#include "backends/cuda/cuda_compiler.hpp"
#include "backends/cuda/cuda_device.hpp"
#include "backends/cuda/cuda_timing.hpp"
#include "backends/cuda/device_check.hpp"
#include "backends/cuda/driver_handles.hpp"
#include "backends/cuda/module_cache.hpp"
#include "backends/cuda/nvrtc_api.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {
namespace {

// Shared memory a block may use without opting in, on every CUDA GPU.
constexpr std::int64_t kDefaultSharedLimit = 48 * 1024;
constexpr std::size_t kLoadedModules = 16;

// What the driver says about one compiled kernel.
struct FunctionFacts {
  int registers = 0;
  int static_shared = 0;
  int local_bytes = 0;
  int max_threads_per_block = 0;
};

FunctionFacts function_facts(const DriverApi& driver, CUfunction function) {
  FunctionFacts facts;
  auto get = [&](CUfunction_attribute attribute, int& out, const char* what) {
    check(driver, driver.func_get_attribute(&out, attribute, function),
          fmt::format("reading the kernel's {}", what));
  };
  get(CU_FUNC_ATTRIBUTE_NUM_REGS, facts.registers, "register count");
  get(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, facts.static_shared, "static shared memory");
  get(CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, facts.local_bytes, "local memory");
  get(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, facts.max_threads_per_block, "thread limit");
  return facts;
}

// Everything the worker holds on the device between commands. Members are destroyed in
// reverse order: the context, declared first, outlives everything allocated in it. A Runtime
// never moves (it lives behind a unique_ptr), so the module hook may keep `this`.
struct Runtime {
  Runtime(const DriverApi& driver, CUdevice device)
      : context(driver, device),
        stream(make_stream(driver)),
        events(driver),
        // Constant arguments are copied into each module as it is loaded, before its first run.
        modules(driver, kLoadedModules,
                [this, &driver](CUmodule module, const std::string& name) {
                  copy_constants(driver, module, name, arguments.constants());
                }),
        arguments(CudaMemory{&driver}) {}
  PrimaryContext context;
  Stream stream;
  EventPool events;
  ModuleCache modules;
  CudaArguments arguments;
  DeviceMemory flush_buffer;
  unsigned char flush_value = 0;
  std::optional<DeviceCheck> check;    // the reference on the device, once kept
  std::vector<DeviceMemory> scratch;  // compiler_params: the kernel's scratch buffers
  CUdeviceptr null_pointer = 0;       // what a scratch parameter of no bytes points to
  // launch_decided: the last artifact run and the launch its compiler decided.
  std::pair<std::filesystem::path, std::optional<backends::CompilerLaunch>> last_launch;
};

class CudaBackend final : public backends::DeviceBackend<Runtime> {
 public:
  // The driver and the device are opened on first need (device_info, prepare), never in a
  // compile child: compiling needs only the compiler, and cuInit in each of dozens of compile
  // processes would cost a GPU machine seconds per batch. The compiler too is made on first need.
  CudaBackend(std::string name, CompilerFactory make_compiler)
      : name_(std::move(name)), make_compiler_(std::move(make_compiler)) {}
  ~CudaBackend() override { release_runtime(); }

  std::string name() const override { return name_; }

  DeviceInfo device_info() const override {
    open_device_once();
    std::call_once(info_once_, [&] {
      info_ = query_device_info(*driver_, device_, index_);
      info_.backend = name_;
      info_.id += " | " + compiler().identity();
      compiler().add_facts(info_.facts);
    });
    return info_;
  }

  CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                         const DeviceInfo& device,
                         const std::filesystem::path& cache_dir) override {
    return compiler().compile(spec, space, config, device, cache_dir);
  }

  void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) override {
    open_device_once();
    std::set<Dtype> output_dtypes;
    for (const Argument& arg : spec.arguments)
      if (is_read_back(arg)) output_dtypes.insert(arg.dtype);
    compile_check_kernels_ahead(device, output_dtypes);
    prepare_runtime(
        device,
        [&] {
          auto runtime = std::make_unique<Runtime>(*driver_, device_);
          runtime->arguments.prepare(spec, device, seed);
          return runtime;
        },
        [](const backends::DeviceFailure& failure) {
          return fmt::format("{} ({})", failure.what(), failure.name());
        },
        "If the device is out of memory, reduce the problem size or free the GPU.");
  }

  // The check on the device needs the check kernels, compiled by NVRTC for this device once per
  // process (a new runtime, after each prepare, only loads them). Where that cannot be (no NVRTC
  // beside Triton, no memory for a second copy of the outputs), the outputs are compared on the
  // host as before.
  bool keep_reference_on_device(const std::vector<OutputBuffer>* expected) override {
    if (!backends::device_check_enabled()) return false;
    Runtime& rt = prepared_runtime();
    try {
      const std::vector<DeviceOutput> outputs = device_outputs(rt);
      if (!rt.check)
        rt.check.emplace(*driver_, check_cubin_for(device_facts(), backends::dtypes_of(outputs)),
                         rt.stream.get(),
                         static_cast<int>(backends::device_fact_int(device_facts(), "sm_count")));
      rt.check->keep(outputs, expected);
      return true;
    } catch (const UserError&) {  // no NVRTC
    } catch (const backends::DeviceFailure&) {  // no device memory for the copy
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
  // Starts compiling the device check's kernels for `dtypes` on another thread (NVRTC, up to
  // 0.5 s on an H100 host), so that it overlaps making the arguments and the reference instead
  // of following them. Nothing starts when the kernels compiled (or compiling) cover `dtypes`.
  void compile_check_kernels_ahead(const DeviceInfo& device, const std::set<Dtype>& dtypes) {
    if (!backends::device_check_enabled()) return;
    if (check_cubin_.valid() &&
        std::includes(check_dtypes_.begin(), check_dtypes_.end(), dtypes.begin(), dtypes.end()))
      return;
    check_dtypes_ = dtypes;
    check_cubin_ = std::async(std::launch::async, [facts = device, dtypes] {
                     return compile_check_kernels(
                         NvrtcApi(),
                         static_cast<int>(backends::device_fact_int(facts, "compute_capability")),
                         dtypes);
                   }).share();
  }

  // The check kernels' cubin for `dtypes`, waiting for (or starting) their compile. Throws what
  // the compile threw (no NVRTC: a UserError), every time: a failed compile is not retried.
  const std::string& check_cubin_for(const DeviceInfo& device, const std::set<Dtype>& dtypes) {
    compile_check_kernels_ahead(device, dtypes);
    return check_cubin_.get();
  }

  static std::vector<DeviceOutput> device_outputs(Runtime& rt) {
    return backends::read_back_outputs<DeviceOutput>(rt.arguments.slots());
  }

  // A failure (no driver, no such device) is a UserError and leaves the flag unset.
  void open_device_once() const {
    std::call_once(open_once_, [&] {
      disable_compute_cache();
      try {
        auto driver = std::make_unique<DriverApi>();
        index_ = device_index_from_environment();
        device_ = open_device(*driver, index_);
        driver_ = std::move(driver);
      } catch (const UserError& e) {
        // The messages speak of the cuda backend; another backend on this runtime says whose
        // runtime failed.
        if (name_ == "cuda") throw;
        throw UserError(fmt::format("{} backend (on the CUDA runtime): {}", name_, e.what()));
      }
    });
  }

  const KernelCompiler& compiler() const {
    std::call_once(compiler_once_, [&] { compiler_ = make_compiler_(); });
    return *compiler_;
  }

  RunOutcome run_prepared(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                          const Config& config, const TimingOptions& timing) override {
    Runtime& rt = prepared_runtime();
    const std::string symbol = backends::resolve_symbol(artifact, spec, "cubin", "__global__");
    CUfunction function = rt.modules.function(artifact.path, symbol);
    const FunctionFacts facts = function_facts(*driver_, function);
    const Env env = spec.env_for(space, config, device_facts());
    const std::optional<backends::CompilerLaunch>& compiler_launch = launch_decided(rt, artifact);
    LaunchDims dims = launch_dims(spec.launch, env);
    if (compiler_launch) {
      dims.block = {compiler_launch->block_threads, 1, 1};
      dims.shared_memory_bytes = compiler_launch->shared_memory_bytes;
    }
    for (std::int64_t d : {dims.grid[0], dims.grid[1], dims.grid[2], dims.block[0], dims.block[1],
                           dims.block[2], dims.shared_memory_bytes})
      if (d > INT_MAX)
        return backends::run_failure(
            "CUDA_ERROR_INVALID_VALUE",
            fmt::format("launch geometry {} is beyond what CUDA can launch "
                        "(grid {}x{}x{}, block {}x{}x{}, {} bytes shared)",
                        d, dims.grid[0], dims.grid[1], dims.grid[2], dims.block[0], dims.block[1],
                        dims.block[2], dims.shared_memory_bytes));
    const auto dynamic_shared = static_cast<unsigned>(dims.shared_memory_bytes);
    const std::int64_t threads = dims.block[0] * dims.block[1] * dims.block[2];

    const std::int64_t optin =
        backends::device_fact_int(device_facts(), "shared_memory_per_block_optin");
    const std::int64_t shared_total = facts.static_shared + dims.shared_memory_bytes;
    if (optin > 0 && shared_total > optin)
      return backends::run_failure(
          "shared_memory_limit",
          fmt::format("the kernel needs {} bytes of shared memory per block ({} static + {} "
                      "dynamic), more than the {} bytes this device allows "
                      "(device.shared_memory_per_block_optin); add a constraint on it",
                      shared_total, facts.static_shared, dims.shared_memory_bytes, optin));
    if (shared_total > kDefaultSharedLimit)
      check(*driver_,
            driver_->func_set_attribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                        static_cast<int>(dynamic_shared)),
            fmt::format("allowing {} bytes of dynamic shared memory", dynamic_shared));

    std::vector<void*> params =
        rt.arguments.pointers(env, [](DeviceMemory& memory) -> void* { return memory.slot(); });
    if (compiler_launch) params = compiler_params(rt, *compiler_launch, params, dims);
    RunOutcome outcome;
    outcome.resources = launch_resources(function, facts, threads, dynamic_shared);

    const CUstream stream = rt.stream.get();
    TimedWork work;
    work.launch = [&] {
      check(*driver_,
            driver_->launch_kernel(
                function, static_cast<unsigned>(dims.grid[0]), static_cast<unsigned>(dims.grid[1]),
                static_cast<unsigned>(dims.grid[2]), static_cast<unsigned>(dims.block[0]),
                static_cast<unsigned>(dims.block[1]), static_cast<unsigned>(dims.block[2]),
                dynamic_shared, stream, params.data(), nullptr),
            fmt::format("launching {} (grid {}x{}x{}, block {}x{}x{}, {} bytes dynamic shared)",
                        symbol, dims.grid[0], dims.grid[1], dims.grid[2], dims.block[0],
                        dims.block[1], dims.block[2], dynamic_shared));
    };
    if (timing.flush_cache) work.flush = [&] { flush_l2(stream); };
    outcome.times_ms = time_launches(*driver_, stream, rt.events, work, timing);
    outcome.ok = true;
    return outcome;
  }

  // The launch the compiler decided for `artifact` (none for CUDA C++), from its manifest: read
  // once for the checked run and the timed runs that follow it.
  const std::optional<backends::CompilerLaunch>& launch_decided(Runtime& rt,
                                                                 const Artifact& artifact) {
    if (!compiler().decides_launch()) return rt.last_launch.second;  // stays nullopt
    if (rt.last_launch.first != artifact.path)
      rt.last_launch = {artifact.path, backends::read_manifest(artifact.path).launch};
    return rt.last_launch.second;
  }

  // The parameters of a kernel whose compiler decided its launch: the spec's arguments it takes,
  // then its scratch pointers, each to a buffer of bytes_per_program for every program of the
  // grid (a null pointer when it needs none). The buffers are kept and grown, never shrunk.
  std::vector<void*> compiler_params(Runtime& rt, const backends::CompilerLaunch& launch,
                                     const std::vector<void*>& spec_params, const LaunchDims& dims) {
    std::vector<void*> params;
    for (std::size_t index : launch.arguments) {
      if (index >= spec_params.size())
        throw UserError(fmt::format(
            "the compiled kernel takes argument {} of the spec, which has {}; its artifact was "
            "built for another spec: delete the artifact cache folder and run again",
            index + 1, spec_params.size()));
      params.push_back(spec_params[index]);
    }
    const std::int64_t programs = dims.grid[0] * dims.grid[1] * dims.grid[2];
    rt.scratch.resize(std::max(rt.scratch.size(), launch.scratch.size()));
    for (std::size_t i = 0; i < launch.scratch.size(); ++i) {
      const auto& need = launch.scratch[i];
      const std::int64_t align = std::max<std::int64_t>(1, need.align);
      const std::int64_t per_program = (need.bytes_per_program + align - 1) / align * align;
      const auto bytes = static_cast<std::size_t>(per_program * programs);
      DeviceMemory& buffer = rt.scratch[i];
      if (bytes > 0 && buffer.bytes() < bytes) buffer = DeviceMemory(*driver_, bytes);
      params.push_back(bytes > 0 ? buffer.slot() : &rt.null_pointer);
    }
    return params;
  }

  std::map<std::string, double> launch_resources(CUfunction function, const FunctionFacts& facts,
                                                 std::int64_t threads, unsigned dynamic_shared) {
    std::map<std::string, double> resources;
    resources["registers"] = facts.registers;
    resources["static_shared_bytes"] = facts.static_shared;
    resources["local_bytes"] = facts.local_bytes;
    resources["max_threads_per_block"] = facts.max_threads_per_block;
    resources["dynamic_shared_bytes"] = dynamic_shared;
    const std::int64_t per_sm = backends::device_fact_int(device_facts(), "max_threads_per_sm");
    int blocks = 0;
    // Only for launchable blocks: the occupancy calculator rejects the others, and the launch
    // itself will say why.
    if (threads > 0 && threads <= facts.max_threads_per_block && per_sm > 0 &&
        driver_->occupancy_max_active_blocks(&blocks, function, static_cast<int>(threads),
                                             dynamic_shared) == CUDA_SUCCESS) {
      resources["active_blocks_per_sm"] = blocks;
      resources["occupancy"] =
          static_cast<double>(blocks) * static_cast<double>(threads) / static_cast<double>(per_sm);
    }
    return resources;
  }

  void flush_l2(CUstream stream) {
    Runtime& rt = prepared_runtime();
    if (rt.flush_buffer.get() == 0) {
      const std::int64_t l2 = backends::device_fact_int(device_facts(), "l2_bytes");
      constexpr std::int64_t kMinimum = std::int64_t{8} << 20;
      rt.flush_buffer =
          DeviceMemory(*driver_, static_cast<std::size_t>(std::max(kMinimum, 2 * l2)));
    }
    // A new value each time, so every line is really written and the kernel's data evicted.
    check(*driver_,
          driver_->memset_d8_async(rt.flush_buffer.get(), ++rt.flush_value, rt.flush_buffer.bytes(),
                                   stream),
          "flushing the L2 cache");
  }

  const std::string name_;
  const CompilerFactory make_compiler_;
  mutable std::once_flag open_once_;
  mutable std::unique_ptr<DriverApi> driver_;
  mutable int index_ = 0;
  mutable CUdevice device_ = 0;
  mutable std::once_flag compiler_once_;
  mutable std::unique_ptr<KernelCompiler> compiler_;
  mutable std::once_flag info_once_;
  mutable DeviceInfo info_;
  std::shared_future<std::string> check_cubin_;  // the device check's kernels, once started
  std::set<Dtype> check_dtypes_;                 // the element types they cover
};

}  // namespace

std::unique_ptr<Backend> make_cuda_runtime_backend(std::string name,
                                                   CompilerFactory make_compiler) {
  return std::make_unique<CudaBackend>(std::move(name), std::move(make_compiler));
}

std::unique_ptr<Backend> make_cuda_backend() {
  return make_cuda_runtime_backend("cuda", [] { return std::make_unique<CudaCompiler>(); });
}

}  // namespace tuna::cuda
