// The correctness check: tolerances scaled by magnitude, NaN handling, dtypes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "eval/correctness.hpp"

using tuna::Dtype;
using tuna::OutputBuffer;
using tuna::eval::check_outputs;

namespace {

template <typename T>
OutputBuffer buffer(const std::string& name, Dtype dtype, std::vector<T> values) {
  OutputBuffer b{name, dtype, {}};
  b.bytes.resize(values.size() * sizeof(T));
  std::memcpy(b.bytes.data(), values.data(), b.bytes.size());
  return b;
}

}  // namespace

TEST(Correctness, IdenticalOutputsPass) {
  auto ref = buffer<float>("C", Dtype::F32, {1.0f, 2.0f, 3.0f});
  auto out = check_outputs({ref}, {ref}, 0, 0);
  EXPECT_TRUE(out.ok);
  EXPECT_EQ(out.max_abs_error, 0);
  EXPECT_TRUE(out.message.empty());
}

TEST(Correctness, RtolScalesWithLargestMagnitude) {
  // The error on the small element is 0.5, far above its own relative tolerance but within
  // rtol * max|ref| = 1e-3 * 1000 = 1: sums reordered by a different blocking pass.
  auto ref = buffer<float>("C", Dtype::F32, {1000.0f, 1.0f});
  auto out = buffer<float>("C", Dtype::F32, {1000.0f, 1.5f});
  EXPECT_TRUE(check_outputs({ref}, {out}, 0, 1e-3).ok);
  EXPECT_FALSE(check_outputs({ref}, {out}, 0, 1e-4).ok);
}

TEST(Correctness, FirstFailingElementIsNamed) {
  auto ref = buffer<double>("out", Dtype::F64, {1, 2, 3, 4});
  auto out = buffer<double>("out", Dtype::F64, {1, 2, 30, 40});
  auto check = check_outputs({ref}, {out}, 1e-6, 0);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.message.find("out[2]"), std::string::npos) << check.message;
  EXPECT_NE(check.message.find("2 of 4"), std::string::npos) << check.message;
  EXPECT_DOUBLE_EQ(check.max_abs_error, 36);
}

TEST(Correctness, NanWhereReferenceIsFiniteFails) {
  // Poisoned outputs are NaN: an element the kernel never wrote must fail.
  auto ref = buffer<float>("C", Dtype::F32, {1.0f, 2.0f});
  auto out = buffer<float>("C", Dtype::F32, {1.0f, std::nanf("")});
  auto check = check_outputs({ref}, {out}, 1e-3, 1e-3);
  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(std::isinf(check.max_abs_error));
}

TEST(Correctness, MatchingNonFiniteValuesPass) {
  auto ref = buffer<float>("C", Dtype::F32, {INFINITY, std::nanf("")});
  auto out = buffer<float>("C", Dtype::F32, {INFINITY, std::nanf("")});
  EXPECT_TRUE(check_outputs({ref}, {out}, 0, 0).ok);
}

TEST(Correctness, IntegersCompareExactlyWithZeroTolerance) {
  auto ref = buffer<std::int32_t>("n", Dtype::I32, {7, -3});
  auto out = buffer<std::int32_t>("n", Dtype::I32, {7, -4});
  EXPECT_FALSE(check_outputs({ref}, {out}, 0, 0).ok);
  EXPECT_TRUE(check_outputs({ref}, {out}, 1, 0).ok);
}

TEST(Correctness, HalfPrecisionIsDecoded) {
  // 0x3C00 = 1.0, 0xC000 = -2.0, 0x0001 = smallest subnormal 2^-24.
  auto b = buffer<std::uint16_t>("h", Dtype::F16, {0x3C00, 0xC000, 0x0001});
  EXPECT_DOUBLE_EQ(tuna::eval::element_as_double(b, 0), 1.0);
  EXPECT_DOUBLE_EQ(tuna::eval::element_as_double(b, 1), -2.0);
  EXPECT_DOUBLE_EQ(tuna::eval::element_as_double(b, 2), std::ldexp(1.0, -24));
}

TEST(Correctness, EveryBufferIsChecked) {
  auto a = buffer<float>("A", Dtype::F32, {1.0f});
  auto b_ref = buffer<float>("B", Dtype::F32, {2.0f});
  auto b_out = buffer<float>("B", Dtype::F32, {5.0f});
  auto check = check_outputs({a, b_ref}, {a, b_out}, 1e-6, 1e-6);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.message.find("B[0]"), std::string::npos);
}

TEST(Correctness, LargeBuffersSplitOverCoresReportTheFirstFailureAndTheCount) {
  // 5 M elements: checked in several chunks. Failures in the last and in an early chunk: the
  // message names the lowest index and counts both, whatever the split.
  const std::size_t n = 5'000'000;
  std::vector<float> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<float>(i % 1000) * 0.001f - 0.5f;
  values[n / 2] = 40.0f;  // the largest magnitude, far from the first chunk
  auto ref = buffer<float>("y", Dtype::F32, values);
  values[n - 3] += 1.0f;
  values[1'234'567] = std::nanf("");
  auto out = buffer<float>("y", Dtype::F32, values);
  auto check = check_outputs({ref}, {out}, 1e-6, 1e-3);  // tolerance 1e-6 + 0.04
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.message.rfind("y[1234567] = nan", 0), 0u) << check.message;
  EXPECT_NE(check.message.find("2 of 5000000 elements of y differ"), std::string::npos)
      << check.message;
  EXPECT_TRUE(std::isinf(check.max_abs_error));
}

TEST(Correctness, APreparedReferenceGivesTheSameVerdict) {
  auto ref = buffer<float>("C", Dtype::F32, {1000.0f, 1.0f});
  auto out = buffer<float>("C", Dtype::F32, {1000.0f, 1.5f});
  auto prepared = tuna::eval::make_reference_outputs({ref});
  ASSERT_EQ(prepared.max_magnitude.size(), 1u);
  EXPECT_EQ(prepared.max_magnitude[0], 1000.0);
  EXPECT_TRUE(check_outputs(prepared, {out}, 0, 1e-3).ok);
  EXPECT_FALSE(check_outputs(prepared, {out}, 0, 1e-4).ok);
}
