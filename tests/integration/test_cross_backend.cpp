// Cross-backend consistency, in the spirit of ggml's test-backend-ops: the same computation,
// written once per backend (tests/cross_backend/<backend>/), must give the same outputs from the
// same seeded inputs on every backend present.
//
// Route: this test program drives each backend in-process through the Backend interface
// (device_info, compile, prepare, reset_outputs, run, read_outputs), the sequence the bench
// worker runs. The tuna process itself never touches a device (DESIGN.md §3), but a test program
// is not the tuna process, and going through the interface needs no way to get outputs out of
// `tuna run` (the store keeps none) and no change to the worker protocol. The inputs are the
// ones tuna fills on every backend (backends::fill_initial with the same seed), so the test also
// regenerates them here and checks each backend against a double-precision computation, not
// only against the others: agreement on a wrong answer fails too.
//
// Which backends run: host always. OpenCL when compiled in; if it finds no device, the test
// fails when an ICD is registered (/etc/OpenCL/vendors/*.icd or $OCL_ICD_VENDORS: a platform
// exists, as with PoCL in CI) and skips that backend otherwise. CUDA when compiled in and a GPU
// is present, skipped otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSeed = 1;  // `tuna run`'s default --data-seed
constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-5;      // of the largest magnitude in the expected output

fs::path spec_file(const std::string& backend, const std::string& computation) {
  return fs::path(TUNA_SOURCE_DIR) / "tests" / "cross_backend" / backend / (computation + ".toml");
}

bool compiled_in(const std::string& backend) {
  const std::vector<std::string> names = backend_names();
  return std::find(names.begin(), names.end(), backend) != names.end();
}

bool opencl_icd_registered() {
  if (const char* vendors = std::getenv("OCL_ICD_VENDORS"); vendors && *vendors) return true;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/etc/OpenCL/vendors", ec))
    if (entry.path().extension() == ".icd") return true;
  return false;
}

// One output buffer per config key, as floats.
using Outputs = std::map<std::string, std::vector<float>>;

struct BackendRun {
  bool available = false;
  std::string why_not;  // when unavailable
  std::map<std::string, Outputs> per_config;
};

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("tuna-xb-" + name + "-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<float> as_floats(const OutputBuffer& buffer) {
  EXPECT_EQ(buffer.dtype, Dtype::F32) << buffer.name;
  std::vector<float> values(buffer.bytes.size() / sizeof(float));
  std::memcpy(values.data(), buffer.bytes.data(), values.size() * sizeof(float));
  return values;
}

// Compiles and runs every valid config of the spec once, the way the bench worker runs a checked
// config, and returns each config's outputs.
BackendRun run_on_backend(const std::string& backend_name, const std::string& computation) {
  BackendRun result;
  std::unique_ptr<Backend> backend;
  DeviceInfo device;
  try {
    backend = make_backend(backend_name);
    device = backend->device_info();
  } catch (const UserError& e) {
    result.why_not = e.what();
    return result;
  }
  result.available = true;
  const KernelSpec spec = load_spec(spec_file(backend_name, computation));
  const Space space = spec.make_space(device);
  ScratchDir cache(backend_name + "-" + computation);
  backend->prepare(spec, device, kSeed);
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = 1;
  once.max_repetitions = 1;
  once.budget_ms = 0;
  for (const Config& config : space.enumerate_all()) {
    const std::string key = space.key(config);
    CompileOutcome compiled = backend->compile(spec, space, config, device, cache.path());
    EXPECT_TRUE(compiled.ok) << backend_name << " " << computation << " " << key << ": "
                             << compiled.message << "\n" << compiled.log;
    if (!compiled.ok) continue;
    backend->reset_outputs();
    RunOutcome ran = backend->run(compiled.artifact, spec, space, config, once);
    EXPECT_TRUE(ran.ok) << backend_name << " " << computation << " " << key << ": "
                        << ran.error_class << ": " << ran.message;
    if (!ran.ok) continue;
    for (const OutputBuffer& out : backend->read_outputs())
      result.per_config[key][out.name] = as_floats(out);
  }
  return result;
}

// The inputs every backend was given: the spec's buffers filled exactly as tuna fills them.
std::map<std::string, std::vector<float>> seeded_inputs(const KernelSpec& spec) {
  std::map<std::string, std::vector<float>> inputs;
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    const Argument& arg = spec.arguments[i];
    if (!arg.is_buffer || arg.role == ArgRole::Output) continue;
    const auto count = static_cast<std::int64_t>(arg.count.evaluate(spec.constants).as_int());
    std::vector<float> data(static_cast<std::size_t>(count));
    backends::fill_initial(arg, kSeed, i, reinterpret_cast<unsigned char*>(data.data()), count);
    inputs[arg.name] = std::move(data);
  }
  return inputs;
}

std::int64_t constant(const KernelSpec& spec, const char* name) {
  return spec.constants.find(name)->as_int();
}

Outputs expected_sgemm(const KernelSpec& spec) {
  auto in = seeded_inputs(spec);
  const std::int64_t m = constant(spec, "M"), n = constant(spec, "N"), k = constant(spec, "K");
  std::vector<float> c(static_cast<std::size_t>(m * n));
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::int64_t p = 0; p < k; ++p)
        sum += double(in["A"][i * k + p]) * double(in["B"][p * n + j]);
      c[i * n + j] = static_cast<float>(sum);
    }
  return {{"C", c}};
}

Outputs expected_rowsum(const KernelSpec& spec) {
  auto in = seeded_inputs(spec);
  const std::int64_t rows = constant(spec, "ROWS"), cols = constant(spec, "COLS");
  std::vector<float> out(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (std::int64_t c = 0; c < cols; ++c) sum += in["x"][r * cols + c];
    out[r] = static_cast<float>(sum);
  }
  return {{"out", out}};
}

// Largest |got - want| over a buffer, or infinity for a size mismatch or a NaN (tuna's poison:
// an element the kernel never wrote).
double max_error(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return INFINITY;
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double e = std::fabs(double(got[i]) - double(want[i]));
    if (std::isnan(e)) return INFINITY;
    worst = std::max(worst, e);
  }
  return worst;
}

double tolerance(const std::vector<float>& want) {
  double magnitude = 0;
  for (float v : want) magnitude = std::max(magnitude, std::fabs(double(v)));
  return kAtol + kRtol * magnitude;
}

void expect_close(const Outputs& got, const Outputs& want, const std::string& what) {
  for (const auto& [name, values] : want) {
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << what << ": no output '" << name << "'";
    const double error = max_error(it->second, values);
    EXPECT_LE(error, tolerance(values)) << what << ": output '" << name << "' differs by up to "
                                        << error;
  }
}

const std::vector<std::string> kBackends = {"host", "opencl", "cuda"};

// The specs of one computation must describe the same problem and the same arguments, or the
// backends would not be given the same inputs.
void expect_same_problem(const std::string& computation) {
  const KernelSpec host_spec = load_spec(spec_file("host", computation));
  for (const std::string& backend : kBackends) {
    const KernelSpec spec = load_spec(spec_file(backend, computation));
    EXPECT_EQ(spec.backend, backend);
    EXPECT_EQ(spec.problem_key(), host_spec.problem_key()) << backend;
    ASSERT_EQ(spec.arguments.size(), host_spec.arguments.size()) << backend;
    for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
      const Argument& a = spec.arguments[i];
      const Argument& h = host_spec.arguments[i];
      const std::string where = backend + " " + computation + " args[" + std::to_string(i) + "]";
      EXPECT_EQ(a.name, h.name) << where;
      EXPECT_EQ(a.is_buffer, h.is_buffer) << where;
      EXPECT_EQ(a.dtype, h.dtype) << where;
      EXPECT_EQ(a.role, h.role) << where;
      EXPECT_EQ(a.init, h.init) << where;
      EXPECT_EQ(a.random_lo, h.random_lo) << where;
      EXPECT_EQ(a.random_hi, h.random_hi) << where;
      EXPECT_EQ(a.is_buffer ? a.count.text() : a.value.text(),
                h.is_buffer ? h.count.text() : h.value.text())
          << where;
    }
  }
}

void check_computation(const std::string& computation,
                       const std::function<Outputs(const KernelSpec&)>& expected_of) {
  const Outputs expected = expected_of(load_spec(spec_file("host", computation)));
  std::map<std::string, Outputs> first_of_backend;
  for (const std::string& backend : kBackends) {
    if (!compiled_in(backend)) {
      std::cout << "[ cross    ] " << backend << ": not compiled into this tuna\n";
      continue;
    }
    BackendRun run = run_on_backend(backend, computation);
    if (!run.available) {
      const bool required =
          backend == "host" || (backend == "opencl" && opencl_icd_registered());
      if (required) {
        ADD_FAILURE() << backend << " is compiled in and required here, but: " << run.why_not;
      } else {
        std::cout << "[ cross    ] " << backend << ": skipped (" << run.why_not << ")\n";
      }
      continue;
    }
    EXPECT_FALSE(run.per_config.empty()) << backend << ": no config ran";
    for (const auto& [key, outputs] : run.per_config) {
      expect_close(outputs, expected, backend + " " + computation + " " + key + " vs double");
      if (backend == "host" || !first_of_backend.count("host")) continue;
      expect_close(outputs, first_of_backend.at("host"),
                   backend + " " + computation + " " + key + " vs host");
    }
    if (!run.per_config.empty()) first_of_backend[backend] = run.per_config.begin()->second;
    std::cout << "[ cross    ] " << backend << ": " << run.per_config.size() << " configs of "
              << computation << " checked\n";
  }
  EXPECT_TRUE(first_of_backend.count("host")) << "the host backend must always run";
}

TEST(CrossBackend, SpecsOfOneComputationDescribeTheSameProblem) {
  expect_same_problem("sgemm");
  expect_same_problem("rowsum");
}

TEST(CrossBackend, SeededInputsAreReproducibleAndNotTrivial) {
  // The premise of the comparison: the same seed gives the same inputs (what every backend is
  // given), and they are spread over their range (agreement on all-zero inputs proves nothing).
  const KernelSpec spec = load_spec(spec_file("host", "sgemm"));
  const auto first = seeded_inputs(spec);
  EXPECT_EQ(first, seeded_inputs(spec));
  const auto& a = first.at("A");
  EXPECT_TRUE(std::any_of(a.begin(), a.end(), [](float v) { return v > 0.5f; }));
  EXPECT_TRUE(std::any_of(a.begin(), a.end(), [](float v) { return v < -0.5f; }));
}

TEST(CrossBackend, SgemmAgreesOnEveryBackend) { check_computation("sgemm", expected_sgemm); }

TEST(CrossBackend, RowsumAgreesOnEveryBackend) { check_computation("rowsum", expected_rowsum); }

}  // namespace
}  // namespace tuna
