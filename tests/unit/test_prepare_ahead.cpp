// Device workers prepare ahead (their arguments and reference outputs) while the first configs
// compile, on backends that overlap compiling with running. Run here on the host backend with
// the overlap forced on: the verdicts are those of a worker prepared on first need, and a
// reference that does not compile still ends the run with the same error, after the configs
// that failed to compile before it were recorded.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"
#include "unit/spec_test_support.hpp"

namespace tuna::testing {
namespace {

namespace fs = std::filesystem;

// y = 2 x (+ 1 when WRONG); BROKEN = 1 does not compile. crashing_reference notes each call in
// the file $PREPARE_AHEAD_LOG names, then crashes.
constexpr std::string_view kSource = R"(
#include <cstdio>
#include <cstdlib>
#if BROKEN
#error "this config does not compile"
#endif
extern "C" void scale(const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] = 2.0f * x[i] + WRONG;
}
extern "C" void crashing_reference(const float*, float*, int) {
  if (const char* log = std::getenv("PREPARE_AHEAD_LOG")) {
    if (std::FILE* f = std::fopen(log, "a")) {
      std::fputs("called\n", f);
      std::fclose(f);
    }
  }
  volatile int* nowhere = nullptr;
  *nowhere = 1;
}
)";

constexpr std::string_view kSpec = R"toml([kernel]
name = "scale"
source = "scale.cpp"
entry = "scale"

[problem]
N = 64

[params]
WRONG = { values = [0, 1], default = 0 }
BROKEN = { values = [0, 1], default = 0 }

[[args]]
name = "x"
type = "f32"
count = "N"

[[args]]
name = "y"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "n"
type = "i32"
value = "N"
)toml";

class PrepareAhead : public SpecFolder {
 protected:
  void SetUp() override {
    SpecFolder::SetUp();
    write("scale.cpp", kSource);
  }
  EvaluatorOptions options() const {
    EvaluatorOptions o;
    o.exe = TUNA_BINARY;
    o.cache_dir = dir_ / "cache";
    o.compile_jobs = 2;
    o.run_timeout_s = 60;
    o.timing.budget_ms = 2;
    o.timing.min_repetitions = 2;
    o.overlap = EvaluatorOptions::Overlap::On;  // the path that prepares ahead
    return o;
  }
};

TEST_F(PrepareAhead, ConfigsAreCheckedAgainstTheDefaultConfigsOutputs) {
  const KernelSpec spec = load(kSpec);
  Evaluator evaluator(spec, options());
  const Space& space = evaluator.space();
  const std::vector<Result> results = evaluator.evaluate(
      {space.parse_key("WRONG=0,BROKEN=0"), space.parse_key("WRONG=1,BROKEN=0"),
       space.parse_key("WRONG=0,BROKEN=1")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, Status::Ok) << results[0].message;
  EXPECT_EQ(results[1].status, Status::WrongResult) << results[1].message;
  EXPECT_EQ(results[2].status, Status::CompileError) << results[2].message;
}

TEST_F(PrepareAhead, AReferenceThatDoesNotCompileEndsTheRunWithItsErrorAsBefore) {
  const KernelSpec spec = load(replaced(kSpec, "BROKEN = { values = [0, 1], default = 0 }",
                                        "BROKEN = { values = [0, 1], default = 1 }"));
  Evaluator evaluator(spec, options());
  const Space& space = evaluator.space();
  std::vector<Result> seen;
  try {
    evaluator.evaluate({space.parse_key("WRONG=0,BROKEN=1"), space.parse_key("WRONG=0,BROKEN=0")},
                       [&](const Result& r) { seen.push_back(r); });
    ADD_FAILURE() << "the run went on without a reference";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("the default config (WRONG=0,BROKEN=1) does not compile"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("this config does not compile"), std::string::npos) << message;
  }
  // The default's own compile failure was recorded before the run ended.
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().key, "WRONG=0,BROKEN=1");
  EXPECT_EQ(seen.front().status, Status::CompileError);
}

TEST_F(PrepareAhead, AReferenceKernelThatFailsEndsTheRunWithTheSameErrorWithOrWithoutOverlap) {
  // The reference kernel crashes: preparing fails. Prepared ahead (overlap on) or on first need
  // (overlap off), the run ends with one and the same error.
  const KernelSpec spec = load(std::string(kSpec) +
                               "\n[check]\nreference = \"kernel\"\nkernel = \"crashing_reference\"\n");
  std::string messages[2];
  int calls[2] = {0, 0};
  for (int overlap = 0; overlap < 2; ++overlap) {
    const fs::path log = dir_ / ("calls" + std::to_string(overlap));
    ::setenv("PREPARE_AHEAD_LOG", log.c_str(), 1);  // the bench worker inherits it
    EvaluatorOptions o = options();
    o.overlap = overlap ? EvaluatorOptions::Overlap::On : EvaluatorOptions::Overlap::Off;
    Evaluator evaluator(spec, o);
    try {
      auto r = evaluator.evaluate({evaluator.space().parse_key("WRONG=0,BROKEN=0")});
      ADD_FAILURE() << "the run went on without a reference (overlap " << overlap << "): "
                    << (r.empty() ? std::string("no result") : r[0].error_class + " " + r[0].message);
    } catch (const UserError& e) {
      messages[overlap] = e.what();
    }
    ::unsetenv("PREPARE_AHEAD_LOG");
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) ++calls[overlap];
  }
  // Prepared ahead, the reference still runs once: the run reports the error kept from then,
  // instead of preparing again.
  EXPECT_EQ(calls[0], 1);
  EXPECT_EQ(calls[1], 1);
  EXPECT_NE(messages[1].find("the reference kernel 'crashing_reference' failed"),
            std::string::npos)
      << messages[1];
  EXPECT_EQ(messages[1], messages[0]);
}

}  // namespace
}  // namespace tuna::testing
