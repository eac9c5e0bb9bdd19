// The Result object of `--json` documents (docs/json.md): every field it promises, with the
// device that measured the result, and null where JSON cannot hold a number.
#include <gtest/gtest.h>

#include <cmath>

#include "report/json_output.hpp"

namespace tuna {
namespace {

using report::Json;

Space make_space() {
  return Space({Parameter::list("BM", {16, 32, 64}, 32),
                Parameter::list("MODE", {"fast", "safe"}, "fast")},
               {});
}

Result measured(const Space& space) {
  Result r;
  r.config = Config({Value(64), Value("safe")});
  r.key = space.key(r.config);
  r.times_ms = {1.0, 2.0, 3.0};
  r.median_ms = 2.0;
  r.compile_ms = 100;
  r.resources = {{"registers", 32}};
  r.device = "r2@node7/cuda:1";
  r.started_at = 1700000000;
  r.finished_at = 1700000001;
  return r;
}

TEST(JsonResult, HasEveryDocumentedFieldIncludingTheDevice) {
  Space space = make_space();
  Json j = report::result_json(measured(space), space);
  for (const char* field : {"key", "config", "status", "error_class", "message", "median_ms",
                            "min_ms", "max_ms", "spread", "times_ms", "compile_ms",
                            "max_abs_error", "resources", "device", "started_at", "finished_at",
                            "reused"})
    EXPECT_TRUE(j.contains(field)) << field;
  EXPECT_EQ(j["device"], "r2@node7/cuda:1");
  EXPECT_EQ(j["config"]["BM"], 64);
  EXPECT_EQ(j["config"]["MODE"], "safe");
  EXPECT_EQ(j["median_ms"], 2.0);
}

TEST(JsonResult, AResultStoredBeforeDevicesWereRecordedHasAnEmptyDevice) {
  Space space = make_space();
  Result r = measured(space);
  r.device.clear();
  r.reused = true;
  Json j = report::result_json(r, space);
  ASSERT_TRUE(j["device"].is_string());
  EXPECT_EQ(j["device"], "");
}

TEST(JsonResult, NumbersJsonCannotHoldAreNull) {
  Space space = make_space();
  Result r = measured(space);
  r.max_abs_error = INFINITY;
  r.times_ms[1] = NAN;
  Json j = report::result_json(r, space);
  EXPECT_TRUE(j["max_abs_error"].is_null());
  EXPECT_TRUE(j["times_ms"][1].is_null());
  EXPECT_NO_THROW(Json::parse(j.dump()));
}

}  // namespace
}  // namespace tuna
