// The device-side correctness check's kernels (backends/cuda/check_kernels.hpp) compile with
// NVRTC for the GPUs tuna runs on, with a compare and a magnitude kernel per element type. They
// run on a GPU in tests/gpu/test_cuda_backend.cpp (CheckOnTheDeviceAgreesWithTheHostCheck) and
// in every checked run there. Skips only when NVRTC cannot be loaded.
#include <gtest/gtest.h>

#include <string>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/cuda/check_kernels.hpp"
#include "backends/cuda/nvrtc_api.hpp"

namespace tuna {
namespace {

TEST(DeviceCheckKernels, CompileForEveryArchitectureWithEveryElementType) {
  std::unique_ptr<cuda::NvrtcApi> nvrtc;
  try {
    nvrtc = std::make_unique<cuda::NvrtcApi>();
  } catch (const UserError& e) {
    GTEST_SKIP() << "NVRTC cannot be loaded here: " << e.what();
  }
  for (int cc : {75, 80, 86, 89, 90}) {
    const std::string cubin = cuda::compile_check_kernels(*nvrtc, cc);
    ASSERT_GT(cubin.size(), 4u) << "sm_" << cc;
    EXPECT_EQ(cubin.substr(0, 4), "\x7f" "ELF") << "sm_" << cc;
    for (Dtype d : {Dtype::F16, Dtype::F32, Dtype::F64, Dtype::I8, Dtype::I16, Dtype::I32,
                    Dtype::I64, Dtype::U8, Dtype::U16, Dtype::U32, Dtype::U64})
      for (const char* kind : {"compare", "magnitude"})
        EXPECT_NE(cubin.find(cuda::check_kernel_name(kind, d)), std::string::npos)
            << cuda::check_kernel_name(kind, d) << " missing for sm_" << cc;
  }
}

}  // namespace
}  // namespace tuna

#else
TEST(DeviceCheckKernels, SkippedWithoutTheCudaToolkit) { GTEST_SKIP() << "built without CUDA"; }
#endif
