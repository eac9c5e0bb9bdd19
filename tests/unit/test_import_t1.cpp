// T1 input: Python-like value lists, restrictions as constraints, constants for fixed
// parameters, defaults; and the real convolution T1 file against its recording.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/import_recording.hpp"
#include "tuna/errors.hpp"
#include "support/int_values.hpp"

namespace tuna::store {
namespace {

namespace fs = std::filesystem;

using testing::ints;

TEST(ImportT1, EvaluatesValueLists) {
  EXPECT_EQ(evaluate_t1_values("[1, 2, 4]"), ints({1, 2, 4}));
  EXPECT_EQ(evaluate_t1_values("[2**i for i in range(0, 4)]"), ints({1, 2, 4, 8}));
  EXPECT_EQ(evaluate_t1_values("[i for i in range(1, 4)]"), ints({1, 2, 3}));
  EXPECT_EQ(evaluate_t1_values("[1, 2] + list(range(32, 96+1, 32))"), ints({1, 2, 32, 64, 96}));
  EXPECT_EQ(evaluate_t1_values("['a', 'b']"), (std::vector<Value>{Value("a"), Value("b")}));
  EXPECT_THROW(evaluate_t1_values("numpy.arange(4)"), UserError);
}

TEST(ImportT1, RestrictionsBecomeConstraints) {
  fs::path dir = fs::path(TUNA_SOURCE_DIR) / "tests/data";
  T1Space t1 = read_t1(dir / "t1_small.json");
  ASSERT_EQ(t1.param_names.size(), 3u);
  EXPECT_EQ(t1.param_values[0], ints({1, 2, 4}));
  EXPECT_EQ(t1.restrictions.size(), 2u);
  Recording rec = read_recording(dir / "kt_small.json");
  Space space = recording_space(rec, &t1);
  // Two T1 restrictions plus the recorded-space restriction.
  ASSERT_EQ(space.constraints().size(), 3u);
  EXPECT_EQ(space.constants().find("FIXED")->as_int(), 8);
  EXPECT_EQ(space.size().count, 5);
  EXPECT_EQ(space.key(space.default_config()), "bx=2,mode=a");  // the T1 default
  Config broken({Value(4), Value("b")});
  auto v = space.violations(broken);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(space.constraints()[v.front()].expr.text(), "not (bx == 4 and mode == 'b')");
}

TEST(ImportT1, RealConvolutionRestrictionsMatchTheRecording) {
  fs::path dir = fs::path(TUNA_SOURCE_DIR) / "../shared/datasets";
  fs::path t1file = dir / "benchmark_hub__kernels__convolution_milo.T1.json";
  fs::path kt = dir / "benchmark_hub__convolution_milo__A100.json.gz";
  if (!fs::exists(t1file) || !fs::exists(kt)) GTEST_SKIP() << "datasets not present";
  T1Space t1 = read_t1(t1file);
  Recording rec = read_recording(kt);
  Space with_t1 = recording_space(rec, &t1);
  EXPECT_EQ(with_t1.size().count, 4362);
  // Without the recording's list, the T1 restrictions alone give the same space.
  std::vector<Parameter> params = with_t1.params();
  std::vector<Constraint> only_t1(with_t1.constraints().begin(), with_t1.constraints().end() - 1);
  Space t1_only(params, only_t1, with_t1.constants());
  EXPECT_EQ(t1_only.size().count, 4362);
  fs::path hotspot = dir / "benchmark_hub__kernels__hotspot_milo.T1.json";
  if (fs::exists(hotspot)) {
    T1Space h = read_t1(hotspot);
    EXPECT_EQ(h.param_values[2].size(), 37u);  // [1, 2, 4, 8, 16] + range(32, 1025, 32)
  }
}

}  // namespace
}  // namespace tuna::store
