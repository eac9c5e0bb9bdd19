// The CUDA backend's compile side, which needs NVRTC but no GPU: cubins for sm_90 with the
// registers ptxas reports, template entries through name expressions, errors that point at the
// user's file and line, the artifact cache, the sm_90a choice, and the log parsers. Skips only
// when NVRTC cannot be loaded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/common/artifact_manifest.hpp"
#include "backends/cuda/cuda_compiler.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using cuda::CudaCompiler;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("tuna_test_cuda_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

// Line 6 is the compile error of BAD == 1 (the error test relies on the number).
constexpr const char* kSource = R"(#include <cuda_fp16.h>

template <int Tile>
__global__ void scale(const float* x, float* y, int n) {
#if BAD
  int z = undefined_name;
#endif
  __shared__ float tile[Tile];
  int i = blockIdx.x * Tile + threadIdx.x;
  tile[threadIdx.x] = i < n ? x[i] : 0.0f;
  __syncthreads();
  if (i < n) y[i] = 2.0f * tile[threadIdx.x] + __half2float(__float2half(1.0f));
}

extern "C" __global__ void scale_reference(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = 2.0f * x[i] + 1.0f;
}
)";

std::string spec_text(const std::string& entry) {
  return R"toml([kernel]
name = "scale"
backend = "cuda"
source = "scale.cu"
entry = ")toml" + entry + R"toml("

[problem]
N = 1024

[params]
BLOCK = { values = [64, 128, 256], default = 128 }
BAD = { values = [0, 1], default = 0 }

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
type = "i32"
value = "N"

[launch]
grid = ["ceil_div(N, BLOCK)"]
block = ["BLOCK"]

[check]
reference = "kernel"
kernel = "scale_reference"
)toml";
}

// A device description for an sm_90 GPU: compiling reads only the compute capability.
DeviceInfo h100_like() {
  DeviceInfo device;
  device.backend = "cuda";
  device.name = "compile-only sm_90";
  device.id = device.name;
  device.facts.set("compute_capability", std::int64_t{90});
  device.facts.set("max_threads_per_block", std::int64_t{1024});
  device.facts.set("warp_size", std::int64_t{32});
  return device;
}

class CudaCompile : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      compiler_ = std::make_unique<CudaCompiler>();
    } catch (const UserError& e) {
      GTEST_SKIP() << "NVRTC cannot be loaded here: " << e.what();
    }
    dir_.write("scale.cu", kSource);
  }

  KernelSpec load(const std::string& entry) {
    fs::path spec_path = dir_.write("spec.toml", spec_text(entry));
    return load_spec(spec_path);
  }

  CompileOutcome compile(const KernelSpec& spec, const std::string& key) {
    Space space = spec.make_space(device_);
    return compiler_->compile(spec, space, space.parse_key(key), device_, dir_.path() / "cache");
  }

  TempDir dir_;
  DeviceInfo device_ = h100_like();
  std::unique_ptr<CudaCompiler> compiler_;
};

TEST_F(CudaCompile, TemplateEntryCompilesToACubinWithItsRegisters) {
  KernelSpec spec = load("scale<{BLOCK}>");
  CompileOutcome out = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.log;
  EXPECT_FALSE(out.cached);
  EXPECT_EQ(out.artifact.path.extension(), ".cubin");
  ASSERT_TRUE(fs::exists(out.artifact.path));
  // A cubin is an ELF file.
  std::ifstream in(out.artifact.path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  EXPECT_EQ(std::string(magic + 1, 3), "ELF");
  // The lowered (mangled) name of scale<128>, which cuModuleGetFunction needs.
  EXPECT_EQ(out.artifact.symbol, "_Z5scaleILi128EEvPKfPfi");
  ASSERT_TRUE(out.artifact.resources.count("registers")) << out.log;
  EXPECT_GT(out.artifact.resources.at("registers"), 0);
  EXPECT_EQ(out.artifact.resources.at("static_shared_bytes"), 128 * 4);
  EXPECT_EQ(out.artifact.resources.at("spill_stores_bytes"), 0);
  EXPECT_EQ(out.artifact.resources.at("stack_frame_bytes"), 0);
  EXPECT_NE(out.log.find("sm_90"), std::string::npos) << out.log;
  // The reference kernel (extern "C") is in the same cubin, under its own name.
  backends::ArtifactManifest manifest = backends::read_manifest(out.artifact.path);
  EXPECT_EQ(manifest.reference, "scale_reference");
  EXPECT_EQ(manifest.entry, out.artifact.symbol);
}

TEST_F(CudaCompile, EachTemplateInstanceHasItsOwnLoweredName) {
  KernelSpec spec = load("scale<{BLOCK}>");
  CompileOutcome a = compile(spec, "BLOCK=64,BAD=0");
  CompileOutcome b = compile(spec, "BLOCK=256,BAD=0");
  ASSERT_TRUE(a.ok && b.ok) << a.message << b.message;
  EXPECT_EQ(a.artifact.symbol, "_Z5scaleILi64EEvPKfPfi");
  EXPECT_EQ(b.artifact.symbol, "_Z5scaleILi256EEvPKfPfi");
  EXPECT_NE(a.artifact.hash, b.artifact.hash);
  EXPECT_EQ(b.artifact.resources.at("static_shared_bytes"), 256 * 4);
}

TEST_F(CudaCompile, ExternCEntryKeepsItsName) {
  KernelSpec spec = load("scale_reference");
  CompileOutcome out = compile(spec, "BLOCK=64,BAD=0");
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(out.artifact.symbol, "scale_reference");
}

TEST_F(CudaCompile, SecondCompileIsACacheHitWithTheSameFacts) {
  KernelSpec spec = load("scale<{BLOCK}>");
  CompileOutcome first = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_TRUE(first.ok) << first.message;
  CompileOutcome second = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_TRUE(second.ok) << second.message;
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.compile_ms, 0);
  EXPECT_EQ(second.artifact.path, first.artifact.path);
  EXPECT_EQ(second.artifact.symbol, first.artifact.symbol);
  EXPECT_EQ(second.artifact.resources, first.artifact.resources);
  // No temporary file is left behind.
  for (const auto& entry : fs::directory_iterator(dir_.path() / "cache"))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST_F(CudaCompile, AnotherArchitectureIsAnotherArtifact) {
  KernelSpec spec = load("scale<{BLOCK}>");
  CompileOutcome sm90 = compile(spec, "BLOCK=128,BAD=0");
  device_.facts.set("compute_capability", std::int64_t{80});
  CompileOutcome sm80 = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_TRUE(sm90.ok && sm80.ok) << sm80.message;
  EXPECT_FALSE(sm80.cached);
  EXPECT_NE(sm90.artifact.hash, sm80.artifact.hash);
  EXPECT_NE(sm80.log.find("sm_80"), std::string::npos) << sm80.log;
}

TEST_F(CudaCompile, CompileErrorNamesTheUsersFileAndLine) {
  KernelSpec spec = load("scale<{BLOCK}>");
  CompileOutcome out = compile(spec, "BLOCK=128,BAD=1");
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error_class, "compile_error");
  EXPECT_EQ(out.message.rfind("scale.cu(6): error:", 0), 0u) << out.message;
  EXPECT_NE(out.message.find("undefined_name"), std::string::npos) << out.message;
  EXPECT_EQ(out.message.find('/'), std::string::npos) << "directories are stripped";
  EXPECT_NE(out.log.find(dir_.path().string()), std::string::npos) << "the log keeps the path";
  EXPECT_FALSE(fs::exists(dir_.path() / "cache") &&
               !fs::is_empty(dir_.path() / "cache"))
      << "a failed compile caches nothing";
}

TEST_F(CudaCompile, MisspeltEntryIsACompileError) {
  KernelSpec spec = load("scael<{BLOCK}>");
  CompileOutcome out = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error_class, "compile_error");
  EXPECT_NE(out.message.find("scael"), std::string::npos) << out.message << "\n" << out.log;
}

TEST_F(CudaCompile, WgmmaSourceSelectsSm90a) {
  // setmaxnreg assembles only for sm_90a: compiling succeeds only if tuna chose it.
  dir_.write("scale.cu", std::string(kSource) + R"(
__global__ void __launch_bounds__(128) warp_specialised(float* y) {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
  y[threadIdx.x] = 1.0f;
}
)");
  KernelSpec spec = load("warp_specialised");
  CompileOutcome out = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.log;
  EXPECT_NE(out.log.find("sm_90a"), std::string::npos) << out.log;
}

TEST_F(CudaCompile, KernelsWrittenForNvccCompileWithTheCStandardHeaders) {
  // NVRTC has no C library: without tuna's in-memory headers each include below is a fatal
  // "cannot open source file" (Kernel Tuner's published matmul.cu starts with <stdio.h>).
  dir_.write("scale.cu", std::string(R"(#include <stdio.h>
#include <cstdio>
#include <assert.h>
#include <cassert>
#include <math.h>
#include <cmath>
#include <stdlib.h>
#include <cstdlib>
#include <string.h>
#include <cstring>
#include <stddef.h>
#include <cstddef>
#include <stdint.h>
#include <cstdint>
#include <limits.h>
#include <climits>
#include <float.h>
#include <cfloat>
static_assert(sizeof(int8_t) == 1 && sizeof(uint16_t) == 2 && sizeof(std::int32_t) == 4, "");
static_assert(sizeof(uint64_t) == 8 && sizeof(uintptr_t) == sizeof(void*), "");
static_assert(INT_MAX == 2147483647 && UINT8_MAX == 255 && CHAR_BIT == 8, "");
static_assert(INT64_MIN < 0 && LLONG_MAX == INT64_MAX && SIZE_MAX == UINT64_MAX, "");
__global__ void uses_them(float* y) {
  assert(y != NULL);
  if (threadIdx.x == 0 && y[0] > FLT_MAX) printf("%f %g\n", y[0], DBL_EPSILON);
  y[threadIdx.x] = sqrtf(FLT_EPSILON) + (float)UINT32_MAX + FLT_MIN;
}
)") + kSource);
  KernelSpec spec = load("uses_them");
  CompileOutcome out = compile(spec, "BLOCK=128,BAD=0");
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.log;
}

TEST_F(CudaCompile, OptionsCarryArchitectureFlagsDefinesAndIncludes) {
  KernelSpec spec = load("scale<{BLOCK}>");
  spec.compiler_flags = {"-use_fast_math"};
  Space space = spec.make_space(device_);
  std::vector<std::string> options =
      compiler_->options(spec, space, space.parse_key("BLOCK=64,BAD=0"), 90, kSource);
  auto has = [&](const std::string& option) {
    return std::find(options.begin(), options.end(), option) != options.end();
  };
  EXPECT_TRUE(has("--gpu-architecture=sm_90"));
  EXPECT_TRUE(has("-lineinfo"));
  EXPECT_TRUE(has("--ptxas-options=-v"));
  EXPECT_TRUE(has("-use_fast_math"));
  EXPECT_TRUE(has("-DBLOCK=64"));
  EXPECT_TRUE(has("-DBAD=0"));
  EXPECT_TRUE(has("-I" + dir_.path().string()));
  // The spec's own architecture wins.
  spec.compiler_flags = {"--gpu-architecture=sm_80"};
  options = compiler_->options(spec, space, space.parse_key("BLOCK=64,BAD=0"), 90, kSource);
  EXPECT_FALSE(has("--gpu-architecture=sm_90"));
  EXPECT_TRUE(has("--gpu-architecture=sm_80"));
}

TEST(CudaCompileLog, ArchitectureSelection) {
  EXPECT_EQ(cuda::select_architecture("__global__ void k() {}", 90), "sm_90");
  EXPECT_EQ(cuda::select_architecture("asm(\"wgmma.fence.sync.aligned;\");", 90), "sm_90a");
  EXPECT_EQ(cuda::select_architecture("asm(\"setmaxnreg.dec.sync.aligned.u32 40;\");", 90),
            "sm_90a");
  EXPECT_EQ(cuda::select_architecture("asm(\"wgmma.fence.sync.aligned;\");", 86), "sm_86");
  EXPECT_EQ(cuda::select_architecture("int k;", 80), "sm_80");
  EXPECT_TRUE(cuda::flags_choose_architecture({"-O3", "-arch=sm_90a"}));
  EXPECT_TRUE(cuda::flags_choose_architecture({"--gpu-architecture=compute_90"}));
  EXPECT_FALSE(cuda::flags_choose_architecture({"-use_fast_math"}));
}

TEST(CudaCompileLog, PtxasResourcesOfOneFunction) {
  const std::string log = R"(ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function '_Z1kILi64EEvPf' for 'sm_90'
ptxas info    : Function properties for _Z1kILi64EEvPf
ptxas         .     24 bytes stack frame, 16 bytes spill stores, 8 bytes spill loads
ptxas info    : Used 40 registers, used 1 barriers, 256 bytes smem
ptxas info    : Compiling entry function 'plain' for 'sm_90'
ptxas info    : Function properties for plain
ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 8 registers, used 0 barriers
)";
  auto k = cuda::parse_ptxas_resources(log, "_Z1kILi64EEvPf");
  EXPECT_EQ(k.at("registers"), 40);
  EXPECT_EQ(k.at("stack_frame_bytes"), 24);
  EXPECT_EQ(k.at("spill_stores_bytes"), 16);
  EXPECT_EQ(k.at("spill_loads_bytes"), 8);
  EXPECT_EQ(k.at("static_shared_bytes"), 256);
  EXPECT_EQ(k.at("barriers"), 1);
  auto plain = cuda::parse_ptxas_resources(log, "plain");
  EXPECT_EQ(plain.at("registers"), 8);
  EXPECT_EQ(plain.at("static_shared_bytes"), 0);
  EXPECT_TRUE(cuda::parse_ptxas_resources(log, "absent").empty());
}

TEST(CudaCompileLog, FirstErrorLine) {
  const std::string log =
      "/home/u/k/add.cu(7): warning: variable \"q\" was declared but never referenced\n"
      "/home/u/k/add.cu(12): error: identifier \"x\" is undefined\n"
      "    y = x;\n\n"
      "/home/u/k/add.cu(14): catastrophic error: #error directive: nope\n";
  EXPECT_EQ(cuda::first_error_line(log), "add.cu(12): error: identifier \"x\" is undefined");
  EXPECT_EQ(cuda::first_error_line(""), "");
}

}  // namespace
}  // namespace tuna

#else
TEST(CudaCompile, NotBuilt) { GTEST_SKIP() << "this tuna was built without the CUDA toolkit"; }
#endif
