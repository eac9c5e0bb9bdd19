// The host backend: compiling (cache, hashing, errors), argument preparation (init kinds,
// poison), timing, output readback, device facts, and the backend registry.
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "backends/common/kernel_defines.hpp"
#include "backends/host/host_backend.hpp"
#include "backends/host/host_device.hpp"
#include "backends/host/host_shim.hpp"
#include "backends/host/system_compiler.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

// A kernel with an inout, an output and two scalars, a template entry and a reference.
// Line 4 fails to compile for SCALE == 3 (the compile-error test relies on the line number).
constexpr const char* kKernelSource = R"(#include <cstdint>

#if SCALE == 3
#error "SCALE = 3 is not supported"
#endif

template <int Offset>
void scale_add(const float* x, float* acc, float* z, std::int32_t n, float shift) {
  for (std::int32_t i = 0; i < n; ++i) {
    z[i] = SCALE * x[i] + acc[i] + shift + Offset;
    acc[i] += 1.0f;
  }
}

void scale_add_reference(const float* x, float* acc, float* z, std::int32_t n, float shift) {
  for (std::int32_t i = 0; i < n; ++i) {
    z[i] = 2 * x[i] + acc[i] + shift + 1;
    acc[i] += 1.0f;
  }
}
)";

using tuna::testing::TempDir;

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

Argument buffer(std::string name, std::string count, ArgRole role, InitKind init) {
  Argument a;
  a.name = std::move(name);
  a.is_buffer = true;
  a.dtype = Dtype::F32;
  a.count = Expr::parse(count);
  a.role = role;
  a.init = init;
  return a;
}

Argument scalar(std::string name, Dtype dtype, std::string value) {
  Argument a;
  a.name = std::move(name);
  a.is_buffer = false;
  a.dtype = dtype;
  a.value = Expr::parse(value);
  return a;
}

constexpr int kN = 1000;

class HostBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir_.path() / "scale_add.cpp", kKernelSource);
    spec_.name = "scale_add";
    spec_.backend = "host";
    spec_.source = dir_.path() / "scale_add.cpp";
    spec_.entry = "scale_add<{OFFSET}>";
    spec_.parameters = {
        ParameterSpec{Parameter::list("SCALE", {Value(1), Value(2), Value(3)}, Value(2)), 0},
        ParameterSpec{Parameter::list("OFFSET", {Value(0), Value(1)}, Value(1)), 0},
    };
    spec_.constants.set("N", kN);
    spec_.arguments = {
        buffer("x", "N", ArgRole::Input, InitKind::Random),
        buffer("acc", "N", ArgRole::InOut, InitKind::Ones),
        buffer("z", "N", ArgRole::Output, InitKind::Zeros),
        scalar("n", Dtype::I32, "N"),
        scalar("shift", Dtype::F32, "SCALE * 0.5"),
    };
    device_ = backend_.device_info();
    space_ = spec_.make_space(device_);
  }

  Config config(int scale, int offset) const { return Config({Value(scale), Value(offset)}); }

  CompileOutcome compile(const Config& c) {
    return backend_.compile(spec_, space_, c, device_, dir_.path() / "cache");
  }

  // The inputs prepare() makes for `x`: the same seed and argument index give the same values.
  std::vector<float> expected_x(std::uint64_t seed) const {
    std::vector<float> x(kN);
    backends::fill_initial(spec_.arguments[0], seed, 0, reinterpret_cast<unsigned char*>(x.data()),
                           kN);
    return x;
  }

  static std::vector<float> floats(const OutputBuffer& out) {
    std::vector<float> v(out.bytes.size() / sizeof(float));
    std::memcpy(v.data(), out.bytes.data(), v.size() * sizeof(float));
    return v;
  }

  TempDir dir_;
  KernelSpec spec_;
  host::HostBackend backend_;
  DeviceInfo device_;
  Space space_;
};

TEST_F(HostBackendTest, CompilesASharedObjectAndFindsItInTheCacheTheSecondTime) {
  CompileOutcome first = compile(config(2, 1));
  ASSERT_TRUE(first.ok) << first.message << "\n" << first.log;
  EXPECT_FALSE(first.cached);
  EXPECT_GT(first.compile_ms, 0);
  EXPECT_TRUE(fs::is_regular_file(first.artifact.path));
  EXPECT_EQ(first.artifact.path.parent_path(), dir_.path() / "cache");
  EXPECT_EQ(first.artifact.symbol, host::kEntrySymbol);
  EXPECT_EQ(first.artifact.hash.size(), 32u);
  // No temporary file is left next to the artifact.
  int files_with_tmp = 0;
  for (const auto& entry : fs::directory_iterator(dir_.path() / "cache"))
    files_with_tmp += entry.path().string().find(".tmp") != std::string::npos;
  EXPECT_EQ(files_with_tmp, 0);

  CompileOutcome second = compile(config(2, 1));
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.compile_ms, 0);
  EXPECT_EQ(second.artifact.path, first.artifact.path);
  EXPECT_EQ(second.artifact.hash, first.artifact.hash);
}

TEST_F(HostBackendTest, ADifferentDefineOrSourceGivesADifferentArtifact) {
  CompileOutcome a = compile(config(2, 1));
  CompileOutcome b = compile(config(1, 1));
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_NE(a.artifact.hash, b.artifact.hash);
  EXPECT_NE(a.artifact.path, b.artifact.path);

  write_text(spec_.source, std::string(kKernelSource) + "// edited\n");
  CompileOutcome c = compile(config(2, 1));
  ASSERT_TRUE(c.ok);
  EXPECT_FALSE(c.cached);
  EXPECT_NE(c.artifact.hash, a.artifact.hash);
}

TEST_F(HostBackendTest, CompileErrorIsDataWithTheUsersFileAndLine) {
  CompileOutcome r = compile(config(3, 1));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, "compile_error");
  EXPECT_EQ(r.message.rfind("scale_add.cpp:4:", 0), 0u) << r.message;
  EXPECT_NE(r.message.find("SCALE = 3 is not supported"), std::string::npos) << r.message;
  EXPECT_NE(r.log.find(dir_.path().string()), std::string::npos);
  for (const auto& entry : fs::directory_iterator(dir_.path() / "cache"))
    EXPECT_NE(entry.path().extension(), ".so") << entry.path();
}

TEST_F(HostBackendTest, AMismatchedEntryIsExplainedInTermsOfTheSpec) {
  spec_.entry = "scale_add_misspelled";
  CompileOutcome r = compile(config(2, 1));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, "compile_error");
  EXPECT_NE(r.message.find("scale_add_misspelled"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("kernel.entry"), std::string::npos) << r.message;
}

TEST_F(HostBackendTest, PrepareInitialisesInputsAndPoisonsOutputs) {
  backend_.prepare(spec_, device_, 7);
  std::vector<OutputBuffer> outs = backend_.read_outputs();
  ASSERT_EQ(outs.size(), 2u);  // acc (inout) and z (output), in declaration order
  EXPECT_EQ(outs[0].name, "acc");
  EXPECT_EQ(outs[1].name, "z");
  EXPECT_EQ(outs[1].dtype, Dtype::F32);
  ASSERT_EQ(outs[1].bytes.size(), kN * sizeof(float));
  for (float v : floats(outs[0])) ASSERT_EQ(v, 1.0f);
  for (float v : floats(outs[1])) ASSERT_TRUE(std::isnan(v));
}

TEST_F(HostBackendTest, RunComputesTheKernelAndResetRestoresInputs) {
  CompileOutcome compiled = compile(config(2, 1));
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend_.prepare(spec_, device_, 11);
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;
  RunOutcome r = backend_.run(compiled.artifact, spec_, space_, config(2, 1), once);
  ASSERT_TRUE(r.ok) << r.message;
  ASSERT_EQ(r.times_ms.size(), 1u);

  std::vector<float> x = expected_x(11);
  std::vector<OutputBuffer> outs = backend_.read_outputs();
  std::vector<float> acc = floats(outs[0]), z = floats(outs[1]);
  for (int i = 0; i < kN; ++i) {
    ASSERT_FLOAT_EQ(z[i], 2 * x[i] + 1.0f + 1.0f + 1.0f) << i;  // SCALE*x + acc + shift + OFFSET
    ASSERT_EQ(acc[i], 2.0f) << i;
  }

  backend_.reset_outputs();
  outs = backend_.read_outputs();
  for (float v : floats(outs[0])) ASSERT_EQ(v, 1.0f);
  for (float v : floats(outs[1])) ASSERT_TRUE(std::isnan(v));
}

TEST_F(HostBackendTest, RepetitionsStayWithinTheirBoundsAndTimesArePositive) {
  CompileOutcome compiled = compile(config(2, 1));
  ASSERT_TRUE(compiled.ok) << compiled.message;
  backend_.prepare(spec_, device_, 1);

  TimingOptions by_budget;
  by_budget.warmup = 2;
  by_budget.min_repetitions = 3;
  by_budget.max_repetitions = 50;
  by_budget.budget_ms = 0;  // stop as soon as the minimum is reached
  RunOutcome a = backend_.run(compiled.artifact, spec_, space_, config(2, 1), by_budget);
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.times_ms.size(), 3u);

  TimingOptions by_count = by_budget;
  by_count.max_repetitions = 7;
  by_count.budget_ms = 1e9;
  by_count.flush_cache = true;
  RunOutcome b = backend_.run(compiled.artifact, spec_, space_, config(2, 1), by_count);
  ASSERT_TRUE(b.ok);
  EXPECT_EQ(b.times_ms.size(), 7u);
  for (double t : b.times_ms) EXPECT_GT(t, 0);
}

TEST_F(HostBackendTest, ReferenceKernelIsCompiledIntoTheSameArtifact) {
  spec_.check.reference = Reference::Kernel;
  spec_.check.reference_entry = "scale_add_reference";
  CompileOutcome compiled = compile(space_.default_config());
  ASSERT_TRUE(compiled.ok) << compiled.message << compiled.log;
  Artifact reference = compiled.artifact;
  reference.symbol = host::kReferenceSymbol;

  backend_.prepare(spec_, device_, 5);
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;
  ASSERT_TRUE(backend_.run(reference, spec_, space_, space_.default_config(), once).ok);
  std::vector<float> reference_z = floats(backend_.read_outputs()[1]);
  backend_.reset_outputs();
  ASSERT_TRUE(backend_.run(compiled.artifact, spec_, space_, space_.default_config(), once).ok);
  EXPECT_EQ(floats(backend_.read_outputs()[1]), reference_z);
}

TEST_F(HostBackendTest, AMissingSymbolIsARunFailureNotACrash) {
  CompileOutcome compiled = compile(config(2, 1));
  ASSERT_TRUE(compiled.ok);
  backend_.prepare(spec_, device_, 1);
  Artifact wrong = compiled.artifact;
  wrong.symbol = host::kReferenceSymbol;  // not compiled: the spec has no reference kernel
  RunOutcome r = backend_.run(wrong, spec_, space_, config(2, 1), TimingOptions{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, "load_error");
  EXPECT_NE(r.message.find("tuna_reference"), std::string::npos);
}

TEST_F(HostBackendTest, HalfPrecisionIsRejectedWithAClearMessage) {
  spec_.arguments[0].dtype = Dtype::F16;
  try {
    backend_.prepare(spec_, device_, 1);
    FAIL() << "f16 was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("args.x"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("f16"), std::string::npos) << e.what();
  }
}

// The fault kernel's failures that do not kill the process, through the real spec file.
TEST(HostFaultKernel, CompileErrorsWrongResultsAndExceptionsAreReported) {
  TempDir dir;
  KernelSpec spec = load_spec(fs::path(TUNA_SOURCE_DIR) / "tests/faults/host/spec.toml");
  host::HostBackend backend;
  DeviceInfo device = backend.device_info();
  Space space = spec.make_space(device);
  auto with_mode = [&](int mode) { return space.parse_key("MODE=" + std::to_string(mode)); };
  TimingOptions once;
  once.warmup = 0;
  once.min_repetitions = once.max_repetitions = 1;

  for (int mode : {5, 6}) {
    CompileOutcome c = backend.compile(spec, space, with_mode(mode), device, dir.path());
    EXPECT_FALSE(c.ok) << mode;
    EXPECT_EQ(c.message.rfind("fault.cpp:", 0), 0u) << c.message;
  }

  backend.prepare(spec, device, 3);
  CompileOutcome skip_last = backend.compile(spec, space, with_mode(7), device, dir.path());
  ASSERT_TRUE(skip_last.ok) << skip_last.message;
  ASSERT_TRUE(backend.run(skip_last.artifact, spec, space, with_mode(7), once).ok);
  std::vector<OutputBuffer> outs = backend.read_outputs();
  ASSERT_EQ(outs.size(), 1u);
  float last;
  std::memcpy(&last, outs[0].bytes.data() + outs[0].bytes.size() - sizeof(float), sizeof last);
  EXPECT_TRUE(std::isnan(last));  // the poison an unwritten element keeps

  CompileOutcome throws = backend.compile(spec, space, with_mode(10), device, dir.path());
  ASSERT_TRUE(throws.ok) << throws.message;
  RunOutcome r = backend.run(throws.artifact, spec, space, with_mode(10), once);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, "exception");
  EXPECT_NE(r.message.find("MODE 10 throws on purpose"), std::string::npos) << r.message;
}

TEST(HostInit, IotaOnesZerosAndConstant) {
  Argument a = buffer("a", "4", ArgRole::Input, InitKind::Iota);
  a.dtype = Dtype::I32;
  std::int32_t ints[4];
  backends::fill_initial(a, 0, 0, reinterpret_cast<unsigned char*>(ints), 4);
  EXPECT_EQ(std::vector<std::int32_t>(ints, ints + 4), (std::vector<std::int32_t>{0, 1, 2, 3}));

  a.dtype = Dtype::F64;
  double doubles[3];
  a.init = InitKind::Ones;
  backends::fill_initial(a, 0, 0, reinterpret_cast<unsigned char*>(doubles), 3);
  EXPECT_EQ(std::vector<double>(doubles, doubles + 3), (std::vector<double>{1, 1, 1}));
  a.init = InitKind::Zeros;
  backends::fill_initial(a, 0, 0, reinterpret_cast<unsigned char*>(doubles), 3);
  EXPECT_EQ(std::vector<double>(doubles, doubles + 3), (std::vector<double>{0, 0, 0}));
  a.init = InitKind::Constant;
  a.init_value = 2.5;
  backends::fill_initial(a, 0, 0, reinterpret_cast<unsigned char*>(doubles), 3);
  EXPECT_EQ(std::vector<double>(doubles, doubles + 3), (std::vector<double>{2.5, 2.5, 2.5}));

  a.dtype = Dtype::I16;
  std::int16_t shorts[2];
  EXPECT_THROW(backends::fill_initial(a, 0, 0, reinterpret_cast<unsigned char*>(shorts), 2),
               UserError);  // 2.5 is not an i16
}

TEST(HostInit, RandomIsSeededWithinRangeAndNeverAllZeros) {
  Argument a = buffer("a", "256", ArgRole::Input, InitKind::Random);
  a.random_lo = -2;
  a.random_hi = 3;
  auto draw = [&](std::uint64_t seed, std::size_t index) {
    std::vector<float> v(256);
    backends::fill_initial(a, seed, index, reinterpret_cast<unsigned char*>(v.data()), 256);
    return v;
  };
  std::vector<float> first = draw(42, 1);
  EXPECT_EQ(first, draw(42, 1));
  EXPECT_NE(first, draw(43, 1));
  EXPECT_NE(first, draw(42, 2));  // each argument gets its own stream
  for (float v : first) {
    EXPECT_GE(v, -2.0f);
    EXPECT_LE(v, 3.0f);
  }

  // Integers: the integers of the range; a single element that can only be drawn as zero by
  // chance is forced non-zero.
  a.dtype = Dtype::I8;
  a.random_lo = 0;
  a.random_hi = 1;
  bool saw_nonzero_single = true;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    std::int8_t one;
    backends::fill_initial(a, seed, 0, reinterpret_cast<unsigned char*>(&one), 1);
    saw_nonzero_single = saw_nonzero_single && one != 0;
    EXPECT_TRUE(one == 0 || one == 1);
  }
  EXPECT_TRUE(saw_nonzero_single);

  a.random_lo = a.random_hi = 0;
  std::int8_t bytes[4];
  EXPECT_THROW(backends::fill_initial(a, 0, 0, reinterpret_cast<unsigned char*>(bytes), 4),
               UserError);
}

TEST(HostInit, PoisonIsNanForFloatsAndAFixedPatternForIntegers) {
  float f[3];
  backends::fill_poison(Dtype::F32, reinterpret_cast<unsigned char*>(f), 3);
  for (float v : f) EXPECT_TRUE(std::isnan(v));
  std::int32_t i[2];
  backends::fill_poison(Dtype::I32, reinterpret_cast<unsigned char*>(i), 2);
  EXPECT_EQ(i[0], 0x7EADBEEF);
  EXPECT_EQ(i[1], 0x7EADBEEF);
}

TEST(HostScalars, StoreChecksTheRange) {
  Argument s = scalar("s", Dtype::U8, "0");
  unsigned char slot[8];
  backends::store_scalar(s, Value(200), slot);
  EXPECT_EQ(slot[0], 200);
  EXPECT_THROW(backends::store_scalar(s, Value(300), slot), UserError);
  EXPECT_THROW(backends::store_scalar(s, Value(-1), slot), UserError);
  EXPECT_THROW(backends::store_scalar(s, Value(1.5), slot), UserError);
  EXPECT_THROW(backends::store_scalar(s, Value("text"), slot), UserError);
  s.dtype = Dtype::F64;
  backends::store_scalar(s, Value(3), slot);
  double d;
  std::memcpy(&d, slot, sizeof d);
  EXPECT_EQ(d, 3.0);
}

TEST(HostCompiler, FirstErrorLineSkipsContextAndStripsDirectories) {
  std::string log =
      "In file included from /tmp/cache/abc.cpp:2:\n"
      "/home/u/k/matmul.cpp: In function 'void error_handler()':\n"
      "/home/u/k/matmul.cpp:12:5: error: 'x' was not declared in this scope\n"
      "/home/u/k/matmul.cpp:13:5: error: second\n";
  EXPECT_EQ(host::first_error_line(log),
            "matmul.cpp:12:5: error: 'x' was not declared in this scope");
  EXPECT_EQ(host::first_error_line("ld: fatal: something\n"), "ld: fatal: something");
}

TEST(HostCompiler, DefinesFollowTheSpecsFormat) {
  EXPECT_EQ(backends::format_define("-D{name}={value}", "BM", "64"), "-DBM=64");
  EXPECT_EQ(backends::format_define("-DTUNA_{name}=({value})", "X", "1"), "-DTUNA_X=(1)");
}

TEST(HostCompiler, AMissingCompilerIsAUserError) {
  host::HostBackendOptions options;
  options.cxx = {"tuna-no-such-compiler-xyz"};
  host::HostBackend backend(options);
  try {
    backend.device_info();
    FAIL() << "no error for a missing compiler";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("TUNA_CXX"), std::string::npos) << e.what();
  }
}

TEST(HostDevice, ReportsTheCpusFacts) {
  host::HostBackend backend;
  DeviceInfo info = backend.device_info();
  EXPECT_EQ(info.backend, "host");
  EXPECT_NE(info.name.find("cores)"), std::string::npos) << info.name;
  EXPECT_NE(info.id.find(backend.compiler_identity()), std::string::npos);
  for (const char* fact : {"cores", "l1d_bytes", "l2_bytes", "l3_bytes", "simd_width_bits",
                           "memory_bytes", "page_size", "compiler"})
    EXPECT_TRUE(info.facts.contains(fact)) << fact;
  EXPECT_GE(info.facts.find("cores")->as_int(), 1);
  EXPECT_GT(info.facts.find("memory_bytes")->as_int(), 0);
  std::int64_t simd = info.facts.find("simd_width_bits")->as_int();
  EXPECT_TRUE(simd == 128 || simd == 256 || simd == 512) << simd;
  EXPECT_TRUE(info.as_env().contains("device.cores"));
}

TEST(HostDevice, ParsesCacheSizesAndFlags) {
  EXPECT_EQ(host::parse_cache_size("48K"), 48 * 1024);
  EXPECT_EQ(host::parse_cache_size("32768K\n"), 32 << 20);
  EXPECT_EQ(host::parse_cache_size("1M"), 1 << 20);
  EXPECT_EQ(host::parse_cache_size("512"), 512);
  EXPECT_EQ(host::parse_cache_size("unknown"), 0);
  EXPECT_EQ(host::simd_width_from_flags("fpu sse2 avx avx2 fma"), 256);
  EXPECT_EQ(host::simd_width_from_flags("sse2 avx2 avx512f avx512bw"), 512);
  EXPECT_EQ(host::simd_width_from_flags("fp asimd evtstrm"), 128);
  EXPECT_EQ(host::simd_width_from_flags("avx512_fp16x"), 128);  // whole words only
}

TEST(BackendRegistry, ListsHostAndExplainsTheRest) {
  std::vector<std::string> names = backend_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "host"), names.end());
  EXPECT_EQ(make_backend("host")->name(), "host");
  try {
    make_backend("vulkan");
    FAIL() << "unknown backend accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("Available backends: host"), std::string::npos)
        << e.what();
  }
  if (std::find(names.begin(), names.end(), "cuda") == names.end()) {
    try {
      make_backend("cuda");
      FAIL() << "cuda created although not compiled in";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("not compiled into this tuna"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace tuna
