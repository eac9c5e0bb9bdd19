// Every CUDA example compiles through NVRTC for the H100 (sm_90) without a GPU: the default
// config and a few random valid ones each, with no register spills in the default. This is what
// CI can check of the examples; running them is the GPU machine's job (docs/device.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/cuda/cuda_compiler.hpp"

namespace tuna {
namespace {

// The facts of an H100 80GB HBM3 that the examples' constraints read (as the CUDA backend
// reported them on the GPU machine, 2026-11-25).
DeviceInfo h100_for_compiling() {
  DeviceInfo device;
  device.backend = "cuda";
  device.name = device.id = "compile-only NVIDIA H100 (sm_90)";
  device.facts.set("compute_capability", std::int64_t{90});
  device.facts.set("max_threads_per_block", std::int64_t{1024});
  device.facts.set("max_threads_per_sm", std::int64_t{2048});
  device.facts.set("shared_memory_per_block", std::int64_t{49152});
  device.facts.set("shared_memory_per_block_optin", std::int64_t{232448});
  device.facts.set("sm_count", std::int64_t{132});
  device.facts.set("warp_size", std::int64_t{32});
  device.facts.set("registers_per_block", std::int64_t{65536});
  device.facts.set("l2_bytes", std::int64_t{52428800});
  return device;
}

double spilled_bytes(const CompileOutcome& out) {
  return out.artifact.resources.count("spill_stores_bytes")
             ? out.artifact.resources.at("spill_stores_bytes")
             : 0.0;
}

// Loads NVRTC for each test, or skips it where NVRTC cannot be loaded.
template <typename Base>
class WithNvrtc : public Base {
 protected:
  void SetUp() override {
    try {
      compiler = std::make_unique<cuda::CudaCompiler>();
    } catch (const UserError& e) {
      GTEST_SKIP() << "NVRTC cannot be loaded here: " << e.what();
    }
  }
  std::unique_ptr<cuda::CudaCompiler> compiler;
};

class CudaExamplesCompile : public WithNvrtc<::testing::TestWithParam<std::string>> {};
class CudaExamplesCompileSgemm : public WithNvrtc<::testing::Test> {};

TEST_P(CudaExamplesCompile, DefaultAndRandomConfigsCompileForSm90) {
  const std::string name = GetParam();
  KernelSpec spec = load_spec(std::string(TUNA_SOURCE_DIR) + "/examples/cuda/" + name +
                              "/spec.toml");
  DeviceInfo device = h100_for_compiling();
  Space space = spec.make_space(device);
  const std::filesystem::path cache =
      std::filesystem::temp_directory_path() /
      ("tuna_test_cuda_examples_" + name + "_" + std::to_string(::getpid()));

  std::vector<Config> configs = {space.default_config()};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2; ++i) configs.push_back(space.random_valid(rng));
  for (std::size_t i = 0; i < configs.size(); ++i) {
    CompileOutcome out = compiler->compile(spec, space, configs[i], device, cache);
    ASSERT_TRUE(out.ok) << name << " " << space.key(configs[i]) << ": " << out.message << "\n"
                        << out.log;
    EXPECT_GT(out.artifact.resources.at("registers"), 0) << space.key(configs[i]);
    if (i == 0) EXPECT_EQ(spilled_bytes(out), 0.0) << name << ": the default config spills registers";
  }
  std::error_code ignored;
  std::filesystem::remove_all(cache, ignored);
}

// The 8 x 16 thread tiles added to the SGEMM example to close its gap to cuBLAS (cuBLAS's FFMA
// kernels use 128 x 128 block tiles of 128 threads, 8 x 16 per thread): the space admits them,
// refuses 4 x 16 (the constraint keeps a 16 beside an 8), and they compile without spilling.
TEST_F(CudaExamplesCompileSgemm, EightBySixteenThreadTilesAreValidAndDoNotSpill) {
  KernelSpec spec = load_spec(std::string(TUNA_SOURCE_DIR) + "/examples/cuda/sgemm/spec.toml");
  DeviceInfo device = h100_for_compiling();
  Space space = spec.make_space(device);
  const std::string common = "BK=8,VEC=4,DOUBLE_BUFFER=true,PAD_A=4,MIN_BLOCKS=1,GROUP_M=8";
  EXPECT_FALSE(space.is_valid(space.parse_key("BM=64,BN=128,WM=64,WN=32,TM=4,TN=16," + common)));
  const std::filesystem::path cache =
      std::filesystem::temp_directory_path() /
      ("tuna_test_sgemm_8x16_" + std::to_string(::getpid()));
  for (const std::string tiles : {"BM=128,BN=128,WM=64,WN=64,TM=8,TN=16",
                                  "BM=256,BN=128,WM=128,WN=32,TM=16,TN=8"}) {
    const Config config = space.parse_key(tiles + "," + common);
    ASSERT_TRUE(space.is_valid(config)) << tiles;
    CompileOutcome out = compiler->compile(spec, space, config, device, cache);
    ASSERT_TRUE(out.ok) << tiles << ": " << out.message << "\n" << out.log;
    EXPECT_GT(out.artifact.resources.at("registers"), 128) << tiles;
    EXPECT_EQ(spilled_bytes(out), 0.0) << tiles << " spills registers";
  }
  std::error_code ignored;
  std::filesystem::remove_all(cache, ignored);
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaExamplesCompile,
                         ::testing::Values("sgemm", "hgemm", "hgemm_sm90", "reduction", "softmax",
                                           "transpose", "conv2d"));

}  // namespace
}  // namespace tuna

#else
TEST(CudaExamplesCompile, NotBuilt) {
  GTEST_SKIP() << "this tuna was built without the CUDA toolkit";
}
#endif
