// The watch that stops a run whose spec or source breaks every config (src/search/
// compile_failure_watch.hpp), and the normalisation of compiler messages it compares.
#include <gtest/gtest.h>

#include <string>

#include "search/compile_failure_watch.hpp"
#include "tuna/errors.hpp"

using namespace tuna;
using search::CompileFailureWatch;
using search::normalise_compile_message;

namespace {

const std::string kDefaultKey = "BM=16,MODE=plain";

Result result(int bm, Status status, std::string message = {}, std::string mode = "plain") {
  Result r;
  r.config = Config({Value(bm), Value(mode)});
  r.key = "BM=" + std::to_string(bm) + ",MODE=" + mode;
  r.status = status;
  r.message = std::move(message);
  return r;
}

Result failed(int bm, std::string message, std::string mode = "plain") {
  return result(bm, Status::CompileError, std::move(message), std::move(mode));
}

const std::string kBadFlag = "g++: error: unrecognized command-line option '-fno-such-flag'";

}  // namespace

TEST(CompileFailureWatch, MessagesThatDifferOnlyInConfigSpecificPartsNormaliseAlike) {
  const Config a({Value(16), Value("plain")}), b({Value(64), Value("packed")});
  EXPECT_EQ(normalise_compile_message("k.cpp:12:5: error: 'BM' was 16 here", a),
            normalise_compile_message("k.cpp:12:5: error: 'BM' was 64 here", b));
  EXPECT_EQ(normalise_compile_message("cc1plus: error: bad -DBM=16 -DMODE=plain", a),
            normalise_compile_message("cc1plus: error: bad -DBM=64 -DMODE=packed", b));
  EXPECT_EQ(normalise_compile_message("/tmp/tuna/cache/0a1b2c3d4e5f6789.cpp:3: error: x", a),
            normalise_compile_message("/home/u/.cache/tuna/ffee00112233aabb.cpp:3: error: x", b));
  EXPECT_EQ(normalise_compile_message("error: unknown mode plain", a),
            normalise_compile_message("error: unknown mode packed", b));
}

TEST(CompileFailureWatch, DifferentErrorsStayDifferent) {
  const Config a({Value(16), Value("plain")});
  EXPECT_NE(normalise_compile_message("k.cpp:1:1: error: expected ';'", a),
            normalise_compile_message("k.cpp:1:1: error: 'x' was not declared", a));
  EXPECT_NE(normalise_compile_message(kBadFlag, a),
            normalise_compile_message("g++: error: unrecognized option '-fno-other'", a));
}

TEST(CompileFailureWatch, StopsOnceTheDefaultAndSevenOthersFailWithOneMessage) {
  ASSERT_EQ(CompileFailureWatch::kFailures, 8u);
  CompileFailureWatch watch(kDefaultKey);
  watch.observe(failed(16, kBadFlag));
  for (int i = 1; i < 7; ++i) watch.observe(failed(16 * (i + 1), kBadFlag, "packed"));
  try {
    watch.observe(failed(1024, kBadFlag));
    FAIL() << "the eighth identical failure should stop the run";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(kBadFlag), std::string::npos) << what;
    EXPECT_NE(what.find("not in a config"), std::string::npos) << what;
    EXPECT_NE(what.find("[kernel] flags"), std::string::npos) << what;
  }
}

TEST(CompileFailureWatch, QuotesTheDefaultsMessageWhenItArrivesLater) {
  CompileFailureWatch watch(kDefaultKey, 3);
  watch.observe(failed(32, "k.cpp:4:1: error: expected ';' (BM=32)"));
  watch.observe(failed(64, "k.cpp:4:1: error: expected ';' (BM=64)"));
  EXPECT_THROW(
      {
        try {
          watch.observe(failed(16, "k.cpp:4:1: error: expected ';' (BM=16)"));
        } catch (const UserError& e) {
          EXPECT_NE(std::string(e.what()).find("(BM=16)"), std::string::npos) << e.what();
          throw;
        }
      },
      UserError);
}

TEST(CompileFailureWatch, AConfigThatCompilesMeansTheFailuresDependOnTheConfig) {
  for (Status compiled : {Status::Ok, Status::RuntimeError, Status::WrongResult}) {
    CompileFailureWatch watch(kDefaultKey);
    watch.observe(failed(16, "k.cpp:9:3: error: static assertion failed: BM too small"));
    watch.observe(result(128, compiled));
    for (int i = 0; i < 20; ++i)
      EXPECT_NO_THROW(
          watch.observe(failed(16 + i, "k.cpp:9:3: error: static assertion failed: BM too small")));
    EXPECT_FALSE(watch.armed());
  }
}

TEST(CompileFailureWatch, TwoDifferentMessagesMeanTheFailuresDependOnTheConfig) {
  CompileFailureWatch watch(kDefaultKey);
  watch.observe(failed(16, kBadFlag));
  watch.observe(failed(32, "k.cpp:2:1: error: 'VEC' was not declared in this scope"));
  for (int i = 0; i < 20; ++i) EXPECT_NO_THROW(watch.observe(failed(64 + i, kBadFlag)));
  EXPECT_FALSE(watch.armed());
}

TEST(CompileFailureWatch, NeverStopsUnlessTheDefaultFailed) {
  CompileFailureWatch watch(kDefaultKey);
  for (int i = 0; i < 30; ++i) EXPECT_NO_THROW(watch.observe(failed(32 + i, kBadFlag)));
}

TEST(CompileFailureWatch, InvalidConfigsAndTimeoutsAreNoEvidence) {
  CompileFailureWatch watch(kDefaultKey, 3);
  watch.observe(failed(16, kBadFlag));
  watch.observe(result(7, Status::Invalid, "violates tile_fits"));
  watch.observe(result(8, Status::Timeout, "the compiler ran longer than 120 s"));
  EXPECT_TRUE(watch.armed());
  watch.observe(failed(32, kBadFlag));
  EXPECT_THROW(watch.observe(failed(64, kBadFlag)), UserError);
}
