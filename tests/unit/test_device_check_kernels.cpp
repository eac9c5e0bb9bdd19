// The device-side correctness check's kernels (backends/cuda/check_kernels.hpp) compile with
// NVRTC for the GPUs tuna runs on, with a compare and a magnitude kernel per element type. They
// run on a GPU in tests/gpu/test_cuda_backend.cpp (CheckOnTheDeviceAgreesWithTheHostCheck) and
// in every checked run there. Skips only when NVRTC cannot be loaded.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/cuda/check_kernels.hpp"
#include "backends/cuda/nvrtc_api.hpp"

namespace tuna {
namespace {

class DeviceCheckKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      nvrtc = std::make_unique<cuda::NvrtcApi>();
    } catch (const UserError& e) {
      GTEST_SKIP() << "NVRTC cannot be loaded here: " << e.what();
    }
  }
  std::unique_ptr<cuda::NvrtcApi> nvrtc;
};

TEST_F(DeviceCheckKernels, CompileForEveryArchitectureWithEveryElementType) {
  const std::set<Dtype> every = {Dtype::F16, Dtype::F32, Dtype::F64, Dtype::I8,
                                 Dtype::I16, Dtype::I32, Dtype::I64, Dtype::U8,
                                 Dtype::U16, Dtype::U32, Dtype::U64};
  for (int cc : {75, 80, 86, 89, 90}) {
    const std::string cubin = cuda::compile_check_kernels(*nvrtc, cc, every);
    ASSERT_GT(cubin.size(), 4u) << "sm_" << cc;
    EXPECT_EQ(cubin.substr(0, 4), "\x7f" "ELF") << "sm_" << cc;
    for (Dtype d : every)
      for (const char* kind : {"compare", "magnitude"})
        EXPECT_NE(cubin.find(cuda::check_kernel_name(kind, d)), std::string::npos)
            << cuda::check_kernel_name(kind, d) << " missing for sm_" << cc;
  }
}

// Only the element types asked for are compiled (a spec's outputs' types): all eleven cost six
// times the NVRTC time of one, before the first config of a run could be checked.
TEST_F(DeviceCheckKernels, OnlyTheTypesAskedForAreCompiled) {
  const std::string cubin = cuda::compile_check_kernels(*nvrtc, 90, {Dtype::F32, Dtype::U8});
  for (const char* kind : {"compare", "magnitude"}) {
    EXPECT_NE(cubin.find(cuda::check_kernel_name(kind, Dtype::F32)), std::string::npos) << kind;
    EXPECT_NE(cubin.find(cuda::check_kernel_name(kind, Dtype::U8)), std::string::npos) << kind;
    EXPECT_EQ(cubin.find(cuda::check_kernel_name(kind, Dtype::F64)), std::string::npos) << kind;
    EXPECT_EQ(cubin.find(cuda::check_kernel_name(kind, Dtype::I32)), std::string::npos) << kind;
  }
}

}  // namespace
}  // namespace tuna

#else
TEST(DeviceCheckKernels, SkippedWithoutTheCudaToolkit) { GTEST_SKIP() << "built without CUDA"; }
#endif
