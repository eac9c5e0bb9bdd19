// The OpenCL device check (backends/opencl/device_check.hpp) on whatever OpenCL device is
// present (PoCL on the CPU in CI): its kernels build for every element type the OpenCL backend
// passes, and compare as the host's check does (eval/correctness.hpp): equal non-finite values
// pass, a NaN difference is infinite, the lowest failing index and its two values come back.
// Through the backend, tests/unit/test_opencl_backend.cpp (CheckOnTheDeviceAgreesWithTheHostCheck).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "tuna/errors.hpp"

#if defined(TUNA_HAVE_OPENCL)
#include "backends/opencl/cl_handles.hpp"
#include "backends/opencl/device_check.hpp"
#include "backends/opencl/opencl_device.hpp"

namespace tuna::opencl {
namespace {

const std::set<Dtype> kEveryType = {Dtype::F32, Dtype::F64, Dtype::I8,  Dtype::I16, Dtype::I32,
                                    Dtype::I64, Dtype::U8,  Dtype::U16, Dtype::U32, Dtype::U64};

class OpenClDeviceCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      api_ = std::make_unique<OpenClApi>();
      choice_ = select_device(*api_);
    } catch (const UserError& e) {
      GTEST_SKIP() << "no OpenCL device: " << e.what();
    }
    const std::string missing = device_check_unsupported(*api_, choice_.device);
    if (!missing.empty()) GTEST_SKIP() << "no device check here: " << missing;
    context_ = make_context(*api_, choice_.device);
    queue_ = make_queue(*api_, context_.get(), choice_.device, false);
  }

  template <class T>
  MemObject buffer(const std::vector<T>& values) {
    cl_int status = CL_SUCCESS;
    MemObject made(api_->create_buffer(context_.get(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                       values.size() * sizeof(T),
                                       const_cast<T*>(values.data()), &status),
                   api_->release_mem_object);
    check(status, "creating a test buffer");
    return made;
  }

  std::unique_ptr<OpenClApi> api_;
  DeviceChoice choice_;
  Context context_;
  Queue queue_;
};

TEST_F(OpenClDeviceCheck, KernelsBuildForEveryElementTypeTheBackendPasses) {
  EXPECT_NO_THROW(
      ClDeviceCheck(*api_, context_.get(), choice_.device, queue_.get(), kEveryType));
  const std::string source = check_kernels_source({Dtype::I32}, 64);
  EXPECT_NE(source.find("TUNA_CHECK_KERNELS(i32, int)"), std::string::npos);
  EXPECT_EQ(source.find("TUNA_CHECK_KERNELS(f32"), std::string::npos);
}

TEST_F(OpenClDeviceCheck, FloatsCompareAsTheHostCheckDoes) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // 100,000 elements, more than one group's share; equal infinities and NaNs pass.
  std::vector<float> reference(100000, 1.0f);
  reference[7] = inf;
  reference[8] = nan;
  reference[9] = -4.0f;  // the largest finite magnitude
  std::vector<float> output = reference;
  MemObject ref = buffer(reference), out = buffer(output);
  ClDeviceCheck check(*api_, context_.get(), choice_.device, queue_.get(), {Dtype::F32});
  check.keep({{"y", Dtype::F32, reference.size(), ref.get()}}, nullptr);

  std::vector<BufferCheck> same = check.compare({{"y", Dtype::F32, output.size(), out.get()}},
                                                0.0, 1e-3);
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].failures, 0u);
  EXPECT_DOUBLE_EQ(same[0].max_abs_error, 0.0);
  EXPECT_DOUBLE_EQ(same[0].tolerance, 4e-3);  // atol + rtol * max |reference|

  // Within the tolerance at 12, beyond it at 90001 and 50000, NaN against a number at 70000.
  output[12] = 1.003f;
  output[90001] = 2.0f;
  output[50000] = 1.5f;
  output[70000] = nan;
  MemObject changed = buffer(output);
  std::vector<BufferCheck> differ =
      check.compare({{"y", Dtype::F32, output.size(), changed.get()}}, 0.0, 1e-3);
  ASSERT_EQ(differ.size(), 1u);
  EXPECT_EQ(differ[0].failures, 3u);
  EXPECT_EQ(differ[0].first_failure, 50000u);
  EXPECT_DOUBLE_EQ(differ[0].output_value, 1.5);
  EXPECT_DOUBLE_EQ(differ[0].reference_value, 1.0);
  EXPECT_TRUE(std::isinf(differ[0].max_abs_error));
}

TEST_F(OpenClDeviceCheck, IntegersAndAnExpectedFileCompareToo) {
  std::vector<std::int64_t> expected_values(5000);
  for (std::size_t i = 0; i < expected_values.size(); ++i)
    expected_values[i] = static_cast<std::int64_t>(i) * 3 - 7000;
  std::vector<std::int64_t> output = expected_values;
  output[4321] += 2;
  MemObject out = buffer(output);
  OutputBuffer expected;
  expected.name = "counts";
  expected.dtype = Dtype::I64;
  expected.bytes.resize(expected_values.size() * sizeof(std::int64_t));
  std::memcpy(expected.bytes.data(), expected_values.data(), expected.bytes.size());
  const std::vector<OutputBuffer> files = {expected};

  ClDeviceCheck check(*api_, context_.get(), choice_.device, queue_.get(), {Dtype::I64});
  check.keep({{"counts", Dtype::I64, output.size(), out.get()}}, &files);
  std::vector<BufferCheck> result =
      check.compare({{"counts", Dtype::I64, output.size(), out.get()}}, 0.5, 0.0);
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].failures, 1u);
  EXPECT_EQ(result[0].first_failure, 4321u);
  EXPECT_DOUBLE_EQ(result[0].max_abs_error, 2.0);
  EXPECT_DOUBLE_EQ(result[0].reference_value, 4321.0 * 3 - 7000);
}

}  // namespace
}  // namespace tuna::opencl

#else
TEST(OpenClDeviceCheck, SkippedWithoutTheOpenClHeaders) { GTEST_SKIP() << "built without OpenCL"; }
#endif
