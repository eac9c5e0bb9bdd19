// Result helpers: status names, the median, and the summary statistics of repetition times.
#include <gtest/gtest.h>

#include <cmath>

#include "tuna/result.hpp"

namespace tuna {
namespace {

TEST(Status, EveryStatusRoundTripsThroughItsName) {
  for (Status s : {Status::Ok, Status::Invalid, Status::CompileError, Status::RuntimeError,
                   Status::Timeout, Status::WrongResult}) {
    std::optional<Status> back = status_from_name(status_name(s));
    ASSERT_TRUE(back.has_value()) << status_name(s);
    EXPECT_EQ(*back, s);
  }
}

TEST(Status, NamesAreTheDocumentedSnakeCaseWords) {
  EXPECT_STREQ(status_name(Status::Ok), "ok");
  EXPECT_STREQ(status_name(Status::Invalid), "invalid");
  EXPECT_STREQ(status_name(Status::CompileError), "compile_error");
  EXPECT_STREQ(status_name(Status::RuntimeError), "runtime_error");
  EXPECT_STREQ(status_name(Status::Timeout), "timeout");
  EXPECT_STREQ(status_name(Status::WrongResult), "wrong_result");
}

TEST(Status, UnknownNamesAreRejected) {
  EXPECT_FALSE(status_from_name("").has_value());
  EXPECT_FALSE(status_from_name("OK").has_value());
  EXPECT_FALSE(status_from_name("crashed").has_value());
  EXPECT_FALSE(status_from_name("ok ").has_value());
}

TEST(Median, OddCountIsTheMiddleValue) {
  EXPECT_DOUBLE_EQ(median_of({3.0, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median_of({7.5}), 7.5);
  EXPECT_DOUBLE_EQ(median_of({5, 9, 1, 3, 100}), 5.0);
}

TEST(Median, EvenCountIsTheMeanOfTheTwoMiddleValues) {
  EXPECT_DOUBLE_EQ(median_of({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(median_of({10.0, 20.0}), 15.0);
  EXPECT_DOUBLE_EQ(median_of({1, 1, 1, 100, 100, 100}), 50.5);
}

TEST(Median, EmptyListIsZero) { EXPECT_DOUBLE_EQ(median_of({}), 0.0); }

TEST(Median, RobustToAnOutlier) {
  EXPECT_DOUBLE_EQ(median_of({1.0, 1.1, 0.9, 1.05, 0.95, 500.0, 1.0}), 1.0);
}

TEST(ResultStats, MinAndMaxOfTheTimes) {
  Result r;
  r.times_ms = {0.52, 0.5, 0.61, 0.55};
  EXPECT_DOUBLE_EQ(r.min_ms(), 0.5);
  EXPECT_DOUBLE_EQ(r.max_ms(), 0.61);
}

TEST(ResultStats, MinMaxAndSpreadAreZeroWithoutTimes) {
  Result r;
  EXPECT_DOUBLE_EQ(r.min_ms(), 0.0);
  EXPECT_DOUBLE_EQ(r.max_ms(), 0.0);
  EXPECT_DOUBLE_EQ(r.spread(), 0.0);
}

TEST(ResultStats, SpreadIsZeroWithOneTimeOrIdenticalTimes) {
  Result r;
  r.times_ms = {2.0};
  EXPECT_DOUBLE_EQ(r.spread(), 0.0);
  r.times_ms = {2.0, 2.0, 2.0, 2.0};
  EXPECT_DOUBLE_EQ(r.spread(), 0.0);
}

TEST(ResultStats, SpreadIsInterdecileRangeOverMedian) {
  Result r;
  // 1..10 in scrambled order: p10 = 1.9, p90 = 9.1 (interpolated between ranks), median 5.5.
  r.times_ms = {7, 2, 9, 4, 10, 1, 6, 3, 8, 5};
  EXPECT_NEAR(r.spread(), (9.1 - 1.9) / 5.5, 1e-12);
}

TEST(ResultStats, SpreadOfTwoTimes) {
  Result r;
  r.times_ms = {1.0, 2.0};
  // p10 = 1.1, p90 = 1.9, median 1.5.
  EXPECT_NEAR(r.spread(), 0.8 / 1.5, 1e-12);
}

TEST(ResultStats, SpreadIgnoresASingleOutlierBeyondTheDeciles) {
  Result tight;
  Result noisy;
  for (int i = 0; i < 20; ++i) tight.times_ms.push_back(1.0 + 0.001 * i);
  noisy.times_ms = tight.times_ms;
  noisy.times_ms.back() = 50.0;  // one slow repetition out of twenty
  EXPECT_LT(noisy.spread(), 0.1);
  EXPECT_NEAR(noisy.spread(), tight.spread(), 0.01);
}

TEST(ResultStats, OkFollowsStatus) {
  Result r;
  EXPECT_TRUE(r.ok());
  r.status = Status::WrongResult;
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace tuna
