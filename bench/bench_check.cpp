// The cost of checking one config's outputs against the reference, on the device against on the
// host (issue 17: a checked run of a config with a 1 GiB output should cost under 20 ms of
// checking). One kernel writes a 1 GiB fp32 output (y = 2x + 1); after the reference run, each
// method checks the same correct outputs 10 times:
//   device: Backend::check_on_device (the compare kernel, a 24-byte summary back);
//   host:   read_outputs (1 GiB copied to the host) + eval::check_outputs (on every core).
// Prints the median wall time of each, in ms. On the CUDA backend (a CUDA GPU) or the OpenCL
// one (its first GPU, else its first device); prints why not when there is none.
//   build/bench/bench_check [GIB] [cuda|opencl]
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "eval/correctness.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kCudaSource = R"(
extern "C" __global__ void affine(const float* x, float* y, unsigned long long n) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n;
       i += (unsigned long long)gridDim.x * blockDim.x)
    y[i] = 2.0f * x[i] + 1.0f;
}
)";

constexpr const char* kOpenClSource = R"(
__kernel void affine(__global const float* x, __global float* y, ulong n) {
  for (ulong i = get_global_id(0); i < n; i += get_global_size(0)) y[i] = 2.0f * x[i] + 1.0f;
}
)";

std::string spec_text(long long elements, const std::string& backend) {
  return fmt::format(R"toml([kernel]
name = "bench_check"
backend = "{}"
source = "affine.{}"
entry = "affine"

[problem]
N = {}

[params]
BLOCK = {{ values = [256], default = 256 }}

[[args]]
name = "x"
type = "f32"
count = "N"

[[args]]
name = "y"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "n"
type = "u64"
value = "N"

[launch]
grid = ["4096"]
block = ["BLOCK"]
)toml",
                     backend, backend == "cuda" ? "cu" : "cl", elements);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
double median_ms(F&& f) {
  std::vector<double> times;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Clock::now();
    f();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return median(times);
}

}  // namespace

int main(int argc, char** argv) {
  const double gib = argc > 1 ? std::atof(argv[1]) : 1.0;
  const std::string backend_name = argc > 2 ? argv[2] : "cuda";
  if (backend_name != "cuda" && backend_name != "opencl") {
    fmt::print(stderr, "bench_check: the backend is cuda or opencl, not '{}'\n", backend_name);
    return 2;
  }
  const auto elements = static_cast<long long>(gib * (1ll << 30) / 4);
  const fs::path dir = fs::temp_directory_path() / fmt::format("tuna_bench_check_{}", ::getpid());
  fs::create_directories(dir);
  if (backend_name == "cuda")
    std::ofstream(dir / "affine.cu") << kCudaSource;
  else
    std::ofstream(dir / "affine.cl") << kOpenClSource;
  std::ofstream(dir / "spec.toml") << spec_text(elements, backend_name);
  try {
    std::unique_ptr<tuna::Backend> backend = tuna::make_backend(backend_name);
    const tuna::DeviceInfo device = backend->device_info();
    const tuna::KernelSpec spec = tuna::load_spec(dir / "spec.toml");
    const tuna::Space space = spec.make_space(device);
    const tuna::Config config = space.default_config();
    const tuna::CompileOutcome compiled = backend->compile(spec, space, config, device, dir);
    if (!compiled.ok) throw tuna::InternalError("compile: " + compiled.message);
    backend->prepare(spec, device, 1);
    tuna::TimingOptions once;
    once.warmup = 0;
    once.min_repetitions = once.max_repetitions = 1;
    once.budget_ms = 0;
    backend->reset_outputs();
    if (!backend->run(compiled.artifact, spec, space, config, once).ok)
      throw tuna::InternalError("the kernel failed");
    const auto keep_start = Clock::now();
    const bool on_device = backend->keep_reference_on_device(nullptr);
    const double keep_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - keep_start).count();
    const tuna::eval::ReferenceOutputs host_reference =
        tuna::eval::make_reference_outputs(backend->read_outputs());
    fmt::print("{} | output {:.2f} GiB fp32 ({} elements)\n", device.name, gib, elements);
    if (!on_device) fmt::print("device check unavailable: only the host check is measured\n");
    else {
      fmt::print("keeping the reference on the device (check kernels compiled, copy, magnitude): "
                 "{:.1f} ms once\n", keep_ms);
      bool ok = true;
      const double device_ms = median_ms([&] {
        ok = ok && tuna::eval::outcome_of(backend->check_on_device(1e-6, 1e-6)).ok;
      });
      fmt::print("device check: {:.2f} ms per checked run (median of 10){}\n", device_ms,
                 ok ? "" : " -- FAILED");
    }
    bool ok = true;
    const double host_ms = median_ms([&] {
      ok = ok &&
           tuna::eval::check_outputs(host_reference, backend->read_outputs(), 1e-6, 1e-6).ok;
    });
    fmt::print("host check (read back + compare): {:.2f} ms per checked run (median of 10){}\n",
               host_ms, ok ? "" : " -- FAILED");
  } catch (const tuna::UserError& e) {
    fmt::print("bench_check needs a {} device: {}\n", backend_name, e.what());
  }
  fs::remove_all(dir);
  return 0;
}
