// Constant arguments (role = "constant") on the host backend: the data is copied into a global of
// the kernel's shared object before each run, the kernel does not receive it as a parameter,
// and what goes wrong (a global smaller than the data, a const or missing global) is the
// config's failure with a message that names it. Driven directly and through the evaluator
// (the compile children and the bench worker get the spec as TOML).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backends/host/host_backend.hpp"
#include "support/temp_dir.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

// y[i] = coeffs[i % 4] * x[i] + offset. The kernel then scribbles on coeffs: each run must start
// from the argument's data again. CSIZE sizes the global (2 is too small for 4 coefficients).
constexpr const char* kSource = R"(#include <cstdint>

#ifndef CONST_QUALIFIER
#define CONST_QUALIFIER
#endif

CONST_QUALIFIER float coeffs[CSIZE] = {};
static std::int32_t offset_value;

extern "C" void apply(const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] = coeffs[i % 4] * x[i] + static_cast<float>(offset_value);
#if !CONST_GLOBAL
  coeffs[0] += 100.0f;
#endif
}
)";

constexpr const char* kSpec = R"toml([kernel]
name = "apply_coeffs"
backend = "host"
source = "apply.cpp"
entry = "apply"

[problem]
N = 10

[params]
CSIZE = { values = [4, 8, 2], default = 4 }
CONST_GLOBAL = { values = [0, 1], default = 0 }

[[args]]
name = "x"
type = "f32"
count = "N"
init = "iota"

[[args]]
name = "y"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "coeffs"
type = "f32"
file = "coeffs.bin"
role = "constant"

[[args]]
name = "n"
type = "i32"
value = "N"

[[args]]
name = "offset"
type = "i32"
count = 1
value = 3
role = "constant"
symbol = "offset_value"
)toml";

const std::vector<float> kCoeffs = {0.5f, -2.0f, 4.0f, 1.5f};

class HostConstantArgs : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "apply.cpp") << kSource;
    std::ofstream(dir_.path() / "spec.toml") << kSpec;
    std::ofstream coeffs(dir_.path() / "coeffs.bin", std::ios::binary);
    coeffs.write(reinterpret_cast<const char*>(kCoeffs.data()),
                 static_cast<std::streamsize>(kCoeffs.size() * sizeof(float)));
    coeffs.close();
    spec_ = load_spec(dir_.path() / "spec.toml");
  }

  static std::vector<float> expected_y() {
    std::vector<float> y;
    for (int i = 0; i < 10; ++i) y.push_back(kCoeffs[i % 4] * static_cast<float>(i) + 3.0f);
    return y;
  }

  static std::vector<float> floats(const OutputBuffer& out) {
    std::vector<float> v(out.bytes.size() / sizeof(float));
    std::memcpy(v.data(), out.bytes.data(), v.size() * sizeof(float));
    return v;
  }

  testing::TempDir dir_{"tuna_host_constant"};
  KernelSpec spec_;
};

TEST_F(HostConstantArgs, TheKernelReadsTheDataFromItsGlobalsOnEveryRun) {
  host::HostBackend backend;
  const DeviceInfo device = backend.device_info();
  const Space space = spec_.make_space(device);
  const Config config = space.parse_key("CSIZE=4,CONST_GLOBAL=0");
  const CompileOutcome compiled = backend.compile(spec_, space, config, device, dir_.path());
  ASSERT_TRUE(compiled.ok) << compiled.message << "\n" << compiled.log;
  backend.prepare(spec_, device, 1);
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;
  once.budget_ms = 0;
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run);
    backend.reset_outputs();
    const RunOutcome outcome = backend.run(compiled.artifact, spec_, space, config, once);
    ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
    // Constants are not read back: y is the only output.
    const std::vector<OutputBuffer> outputs = backend.read_outputs();
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(outputs[0].name, "y");
    // The second run sees the coefficients again, not what the first run left in the global.
    EXPECT_EQ(floats(outputs[0]), expected_y());
  }
}

TEST_F(HostConstantArgs, AGlobalSmallerThanTheDataFailsTheConfigNamingBothSizes) {
  host::HostBackend backend;
  const DeviceInfo device = backend.device_info();
  const Space space = spec_.make_space(device);
  const Config config = space.parse_key("CSIZE=2,CONST_GLOBAL=0");
  const CompileOutcome compiled = backend.compile(spec_, space, config, device, dir_.path());
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend.prepare(spec_, device, 1);
  backend.reset_outputs();
  const RunOutcome outcome = backend.run(compiled.artifact, spec_, space, config, TimingOptions{});
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error_class, "constant_size");
  for (const char* part : {"args.coeffs", "16 bytes (4 elements of f32)", "'coeffs'",
                           "holds 8 bytes", "at most 2 elements"})
    EXPECT_NE(outcome.message.find(part), std::string::npos) << part << " in " << outcome.message;
}

TEST_F(HostConstantArgs, AConstOrMissingGlobalIsACompileErrorThatNamesIt) {
  host::HostBackend backend;
  const DeviceInfo device = backend.device_info();
  KernelSpec spec = spec_;
  spec.compiler_flags = {"-DCONST_QUALIFIER=const"};
  const Space space = spec.make_space(device);
  const Config config = space.parse_key("CSIZE=4,CONST_GLOBAL=1");
  CompileOutcome compiled = backend.compile(spec, space, config, device, dir_.path());
  ASSERT_FALSE(compiled.ok);
  EXPECT_EQ(compiled.error_class, "compile_error");
  EXPECT_NE(compiled.message.find("args.coeffs has role = constant"), std::string::npos)
      << compiled.message;
  EXPECT_NE(compiled.message.find("'coeffs' is const: declare it without const"), std::string::npos)
      << compiled.message;

  spec = spec_;
  spec.arguments[4].symbol = "no_such_global";
  compiled =
      backend.compile(spec, space, space.parse_key("CSIZE=4,CONST_GLOBAL=0"), device, dir_.path());
  ASSERT_FALSE(compiled.ok);
  EXPECT_EQ(compiled.error_class, "compile_error");
  for (const char* part :
       {"for args.offset (role = \"constant\")", "no_such_global", "or set args.offset.symbol"})
    EXPECT_NE(compiled.message.find(part), std::string::npos) << part << " in " << compiled.message;
}

TEST_F(HostConstantArgs, ThroughTheEvaluator) {
  EvaluatorOptions options;
  options.exe = TUNA_BINARY;
  options.cache_dir = dir_.path() / "cache";
  options.compile_jobs = 2;
  options.run_timeout_s = 60;
  options.timing.budget_ms = 5;
  options.timing.min_repetitions = 2;
  Evaluator evaluator(spec_, options);
  const Space& space = evaluator.space();
  const std::vector<Result> results = evaluator.evaluate(
      {space.parse_key("CSIZE=4,CONST_GLOBAL=0"), space.parse_key("CSIZE=8,CONST_GLOBAL=0"),
       space.parse_key("CSIZE=2,CONST_GLOBAL=0")});
  ASSERT_EQ(results.size(), 3u);
  // A larger global takes the data as its first elements; the result is the same.
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(results[i].status, Status::Ok)
        << results[i].key << ": " << results[i].error_class << ": " << results[i].message;
    EXPECT_EQ(results[i].max_abs_error, 0) << results[i].key;
  }
  EXPECT_EQ(results[2].status, Status::RuntimeError) << results[2].message;
  EXPECT_EQ(results[2].error_class, "constant_size");
}

}  // namespace
}  // namespace tuna
