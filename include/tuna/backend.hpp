#pragma once
// Backend: the one interface each device family fills (host, cuda, opencl, sim). The core never
// includes a backend's headers; backends are created by name through make_backend().
//
// Process model (DESIGN.md §3): compile() runs in a compile child process and must not touch
// the device; prepare/reset_outputs/run/read_outputs run only in the bench worker, which owns
// the device. Anything a config can break (a crash, a hang) kills only that process.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tuna/device.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna {

struct Artifact {
  std::filesystem::path path;  // the compiled object on disk (shared object, cubin, ...)
  std::string symbol;          // what to call in it
  std::string hash;            // content hash of source + options + device
  std::map<std::string, double> resources;  // what the compiler reported
};

struct CompileOutcome {
  bool ok = false;
  Artifact artifact;
  bool cached = false;       // found in the on-disk cache, nothing compiled
  double compile_ms = 0;
  std::string error_class;   // "compile_error" or more precise
  std::string message;       // first meaningful line of the compiler's output
  std::string log;           // the whole output, kept for `tuna run`
};

struct TimingOptions {
  int warmup = 1;            // untimed runs before timing
  int min_repetitions = 5;
  int max_repetitions = 1000;
  double budget_ms = 100;    // stop repeating once this much time was spent timing
  bool flush_cache = false;  // write a buffer larger than the last-level cache between runs
};

struct OutputBuffer {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::vector<unsigned char> bytes;
};

// One output buffer compared with its reference (eval/correctness.hpp states the rule: an
// element passes when |out - ref| <= tolerance = atol + rtol * max|ref|, equal non-finite values
// pass), as a summary: what a device-side check copies back instead of the buffer.
struct BufferCheck {
  std::string name;
  std::uint64_t count = 0;
  double tolerance = 0;
  double max_abs_error = 0;     // over the compared elements; a NaN difference counts as inf
  std::uint64_t failures = 0;
  std::uint64_t first_failure = 0;  // the lowest failing index, valid when failures > 0
  double output_value = 0;          // the elements at first_failure
  double reference_value = 0;
};

struct RunOutcome {
  bool ok = false;
  std::vector<double> times_ms;
  std::map<std::string, double> resources;
  std::string error_class;
  std::string message;
  // The failure left the device unusable (a CUDA sticky error such as an illegal address):
  // the bench worker replies, then exits, and the evaluator starts a fresh one.
  bool fatal = false;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual DeviceInfo device_info() const = 0;

  // Compile child process. `cache_dir` holds artifacts keyed by content hash.
  virtual CompileOutcome compile(const KernelSpec& spec, const Space& space, const Config& config,
                                 const DeviceInfo& device,
                                 const std::filesystem::path& cache_dir) = 0;

  // Bench worker only. Allocates and initialises the arguments (seeded, never all zeros).
  virtual void prepare(const KernelSpec& spec, const DeviceInfo& device, std::uint64_t seed) = 0;
  // Restores inputs to their initial contents and fills outputs with a poison pattern, so an
  // element the kernel never writes is caught by the correctness check.
  virtual void reset_outputs() = 0;
  // Runs the artifact for `config` per `timing`; repetitions == 1 and warmup == 0 for a single
  // checked run.
  virtual RunOutcome run(const Artifact& artifact, const KernelSpec& spec, const Space& space,
                         const Config& config, const TimingOptions& timing) = 0;
  // The arguments whose role is output or inout, in declaration order.
  virtual std::vector<OutputBuffer> read_outputs() = 0;

  // The correctness check on the device (GPU backends), so that a large output is compared where
  // it lies rather than copied to the host after every checked run. Optional: a backend without
  // one keeps these defaults, and the caller compares read_outputs() on the host.
  //
  // Keeps a device copy of the reference after a reference run: of the current outputs, or with
  // `expected` not null, of those buffers (by name; from expected files). Returns false when it
  // cannot (no device check, out of device memory): the caller then checks on the host.
  virtual bool keep_reference_on_device(const std::vector<OutputBuffer>* /*expected*/) {
    return false;
  }
  // Compares the current outputs with the kept reference on the device, one summary per
  // reference buffer, in the reference's order. Only after keep_reference_on_device succeeded.
  virtual std::vector<BufferCheck> check_on_device(double /*atol*/, double /*rtol*/) {
    return {};
  }
};

// The backends compiled into this binary, by name ("host", ...).
std::vector<std::string> backend_names();
// Creates a backend; throws UserError naming the available ones for an unknown name, or saying
// why a known one is unavailable here (no driver, no device).
std::unique_ptr<Backend> make_backend(std::string_view name);

}  // namespace tuna
