// The CUDA fault kernels (tests/faults/cuda) compile through NVRTC for sm_90, except MODE 6,
// which must fail with an error naming fault.cu and the line of its #error. No GPU needed;
// skips only when NVRTC cannot be loaded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/cuda/cuda_compiler.hpp"

namespace tuna {
namespace {

TEST(CudaFaultKernels, EveryModeCompilesExceptTheCompileError) {
  std::unique_ptr<cuda::CudaCompiler> compiler;
  try {
    compiler = std::make_unique<cuda::CudaCompiler>();
  } catch (const UserError& e) {
    GTEST_SKIP() << "NVRTC cannot be loaded here: " << e.what();
  }
  KernelSpec spec = load_spec(std::string(TUNA_SOURCE_DIR) + "/tests/faults/cuda/spec.toml");
  DeviceInfo device;
  device.backend = "cuda";
  device.name = device.id = "compile-only sm_90";
  device.facts.set("compute_capability", std::int64_t{90});
  Space space = spec.make_space(device);
  const std::filesystem::path cache = std::filesystem::temp_directory_path() /
                                      ("tuna_test_cuda_faults_" + std::to_string(::getpid()));
  for (int mode = 0; mode <= 11; ++mode) {
    Config config = space.parse_key("MODE=" + std::to_string(mode));
    CompileOutcome out = compiler->compile(spec, space, config, device, cache);
    if (mode == 6) {
      EXPECT_FALSE(out.ok);
      EXPECT_EQ(out.error_class, "compile_error");
      EXPECT_EQ(out.message.rfind("fault.cu(13):", 0), 0u) << out.message;
    } else {
      EXPECT_TRUE(out.ok) << "MODE=" << mode << ": " << out.message << "\n" << out.log;
      EXPECT_EQ(out.artifact.symbol, "fault");
      EXPECT_GT(out.artifact.resources.count("registers"), 0u) << "MODE=" << mode;
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(cache, ignored);
}

}  // namespace
}  // namespace tuna

#else
TEST(CudaFaultKernels, NotBuilt) { GTEST_SKIP() << "this tuna was built without the CUDA toolkit"; }
#endif
