// The Result <-> JSON codec that carries results between MPI ranks: every field survives the
// trip through JSON text, numbers JSON cannot hold come back as the evaluator means them, and
// anything malformed is an InternalError naming what is wrong instead of a crash or a silently
// wrong Result.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/codec.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

using nlohmann::json;

Space make_space() {
  return Space({Parameter::list("BM", {16, 32, 64}, 32),
                Parameter::list("MODE", {"fast", "safe"}, "fast"),
                Parameter::boolean("UNROLL", true)},
               {});
}

Result full_result(const Space& space) {
  Result r;
  r.config = Config({Value(64), Value("safe"), Value(false)});
  r.key = space.key(r.config);
  r.status = Status::WrongResult;
  r.error_class = "mismatch";
  r.message = "max error 0.5 at [3] — \"quoted\"\tünïcødé";
  r.compile_ms = 812.125;
  r.times_ms = {0.1234567890123, 1e-9, 12345.678};
  r.median_ms = 0.1234567890123;
  r.max_abs_error = 0.5;
  r.resources = {{"registers", 64}, {"occupancy", 0.625}};
  r.device = "r2@node7/cuda:1";
  r.started_at = 1712345678.123456;
  r.finished_at = 1712345679.654321;
  r.reused = true;
  return r;
}

// Through text, as a message between ranks travels.
Result through_text(const Result& r, const Space& space) {
  return codec::result_from_json(json::parse(codec::to_json(r).dump()), space);
}

// The InternalError's message, or a failure when none is thrown.
std::string error_of(const json& j, const Space& space) {
  try {
    codec::result_from_json(j, space);
  } catch (const InternalError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted " << j.dump();
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CodecResult, EveryFieldRoundTrips) {
  Space space = make_space();
  Result r = full_result(space);
  Result back = through_text(r, space);
  EXPECT_EQ(back.config, r.config);
  EXPECT_EQ(back.key, r.key);
  EXPECT_EQ(back.status, r.status);
  EXPECT_EQ(back.error_class, r.error_class);
  EXPECT_EQ(back.message, r.message);
  EXPECT_EQ(back.compile_ms, r.compile_ms);
  EXPECT_EQ(back.times_ms, r.times_ms);  // exact: doubles print with full precision
  EXPECT_EQ(back.median_ms, r.median_ms);
  EXPECT_EQ(back.max_abs_error, r.max_abs_error);
  EXPECT_EQ(back.resources, r.resources);
  EXPECT_EQ(back.device, r.device);
  EXPECT_EQ(back.started_at, r.started_at);
  EXPECT_EQ(back.finished_at, r.finished_at);
  EXPECT_EQ(back.reused, r.reused);

  // reused false and an empty device (a result from before devices were recorded) too.
  r.reused = false;
  r.device.clear();
  back = through_text(r, space);
  EXPECT_FALSE(back.reused);
  EXPECT_EQ(back.device, "");
}

TEST(CodecResult, EveryStatusRoundTrips) {
  Space space = make_space();
  Result r = full_result(space);
  for (Status s : {Status::Ok, Status::Invalid, Status::CompileError, Status::RuntimeError,
                   Status::Timeout, Status::WrongResult}) {
    r.status = s;
    EXPECT_EQ(through_text(r, space).status, s) << status_name(s);
  }
}

TEST(CodecResult, AnInfiniteErrorIsNullInJsonAndInfiniteAgainAfter) {
  Space space = make_space();
  Result r = full_result(space);
  r.max_abs_error = INFINITY;  // what the evaluator records for NaN or infinite outputs
  json j = codec::to_json(r);
  EXPECT_TRUE(j.at("max_abs_error").is_null());
  EXPECT_NO_THROW(j.dump());  // valid JSON text, no bare inf
  Result back = codec::result_from_json(json::parse(j.dump()), space);
  EXPECT_TRUE(std::isinf(back.max_abs_error));
  EXPECT_GT(back.max_abs_error, 0);
}

TEST(CodecResult, OtherNonFiniteNumbersComeBackAsNaNKeepingTheRepetitionCount) {
  Space space = make_space();
  Result r = full_result(space);
  r.times_ms = {1.0, NAN, 2.0};
  r.median_ms = NAN;
  r.resources["occupancy"] = NAN;
  json j = codec::to_json(r);
  EXPECT_TRUE(j.at("times_ms").at(1).is_null());
  EXPECT_TRUE(j.at("median_ms").is_null());
  Result back = codec::result_from_json(json::parse(j.dump()), space);
  ASSERT_EQ(back.times_ms.size(), 3u);
  EXPECT_EQ(back.times_ms[0], 1.0);
  EXPECT_TRUE(std::isnan(back.times_ms[1]));
  EXPECT_EQ(back.times_ms[2], 2.0);
  EXPECT_TRUE(std::isnan(back.median_ms));
  EXPECT_TRUE(std::isnan(back.resources.at("occupancy")));
  EXPECT_EQ(back.resources.at("registers"), 64);
}

TEST(CodecResult, EachMissingFieldIsAnInternalErrorNamingIt) {
  Space space = make_space();
  json good = codec::to_json(full_result(space));
  for (const char* name : {"key", "status", "error_class", "message", "compile_ms", "times_ms",
                           "median_ms", "max_abs_error", "resources", "device", "started_at",
                           "finished_at", "reused"}) {
    json j = good;
    ASSERT_EQ(j.erase(name), 1u) << name;
    std::string what = error_of(j, space);
    EXPECT_TRUE(contains(what, std::string("\"") + name + "\"")) << what;
    EXPECT_TRUE(contains(what, "missing")) << what;
  }
}

TEST(CodecResult, WrongTypesAreInternalErrorsNamingTheField) {
  Space space = make_space();
  json good = codec::to_json(full_result(space));
  struct Case {
    const char* field;
    json value;
  };
  std::vector<Case> cases = {
      {"key", 64},
      {"status", nullptr},
      {"error_class", json::array()},
      {"message", false},
      {"compile_ms", "812"},
      {"times_ms", "0.5,0.6"},
      {"times_ms", json::array({0.5, "slow"})},
      {"median_ms", json::object()},
      {"max_abs_error", true},
      {"resources", json::array({64})},
      {"resources", json::parse(R"({"registers": "many"})")},
      {"device", nullptr},
      {"device", 1},
      {"started_at", json::array()},
      {"finished_at", "later"},
      {"reused", 1},
  };
  for (const Case& c : cases) {
    json j = good;
    j[c.field] = c.value;
    std::string what = error_of(j, space);
    EXPECT_TRUE(contains(what, c.field)) << c.field << " = " << c.value.dump() << ": " << what;
  }
}

TEST(CodecResult, AnUnknownStatusIsAnInternalErrorQuotingIt) {
  Space space = make_space();
  json j = codec::to_json(full_result(space));
  j["status"] = "exploded";
  std::string what = error_of(j, space);
  EXPECT_TRUE(contains(what, "unknown status")) << what;
  EXPECT_TRUE(contains(what, "exploded")) << what;
}

TEST(CodecResult, AKeyTheSpaceRejectsIsAnInternalError) {
  Space space = make_space();
  std::string good = full_result(space).key;
  ASSERT_EQ(good.rfind("BM=64,", 0), 0u) << good;
  json j = codec::to_json(full_result(space));
  // 48 is not among BM's values; COLOR is no parameter; "garbage" is not a key at all; the
  // empty key and one out of order name a config, but are not the canonical key of one.
  std::string reordered = good.substr(6) + ",BM=64";
  for (const std::string& key : {"BM=48," + good.substr(6), good + ",COLOR=red",
                                 std::string("garbage"), std::string(), reordered}) {
    j["key"] = key;
    std::string what = error_of(j, space);
    EXPECT_TRUE(contains(what, "key")) << what;
  }
}

TEST(CodecResult, ADocumentThatIsNotAnObjectIsAnInternalError) {
  Space space = make_space();
  for (const json& j : {json(nullptr), json(42), json("result"), json::array({1, 2}),
                        json::object()}) {
    std::string what = error_of(j, space);
    EXPECT_TRUE(contains(what, "malformed result JSON")) << what;
  }
}

}  // namespace
}  // namespace tuna
