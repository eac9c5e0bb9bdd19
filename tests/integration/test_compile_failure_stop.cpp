// A spec or source that breaks every config stops the run after a few configs with the one
// compiler message (src/search/compile_failure_watch.hpp); a failure that depends on the config
// does not.
#include <fstream>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

// 8 x 3 = 24 configs, none invalid, each compiling in a fraction of a second.
std::string spec_text(const std::string& flags, const std::string& check) {
  return R"([kernel]
name = "stop_sum"
source = "stop_sum.cpp"
entry = "stop_sum"
flags = [)" +
         flags + R"(]

[problem]
N = 1000

[params]
WORK = { values = [1, 2, 3, 4, 5, 6, 7, 8], default = 1 }
VARIANT = { values = [1, 2, 3], default = 1 }

[[args]]
name = "x"
type = "f32"
count = "N"

[[args]]
name = "out"
type = "f32"
count = 1
role = "output"

[[args]]
name = "n"
type = "i32"
value = "N"

[check]
)" + check +
         "\n";
}

std::string source_text(const std::string& before_function, const std::string& statement_end) {
  return before_function + R"(
void stop_sum(const float* x, float* out, int n) {
  float acc = 0;
  for (int i = 0; i < n; ++i) acc += x[i] * WORK * VARIANT / (WORK * VARIANT))" +
         statement_end + R"(
  out[0] = acc;
}
)";
}

std::filesystem::path write_kernel(const TunaSandbox& box, const std::string& spec,
                                   const std::string& source) {
  std::ofstream(box.dir() / "stop_sum.cpp") << source;
  std::ofstream(box.dir() / "stop_sum.toml") << spec;
  return box.dir() / "stop_sum.toml";
}

const std::vector<std::string> kTune = {
    "--strategy",      "random", "--seed",     "1", "--max-evals",       "24", "-j", "2",
    "--timing-budget", "5",      "--min-reps", "2", "--shootout-rounds", "0"};

ProcessResult tune(const TunaSandbox& box, const std::filesystem::path& spec) {
  std::vector<std::string> args = {"tune", spec.string()};
  args.insert(args.end(), kTune.begin(), kTune.end());
  return box.run(args);
}

}  // namespace

TEST(CompileFailureStop, AFlagTheCompilerRejectsStopsTheRunWithItsMessage) {
  TunaSandbox box("stop-flag");
  auto spec = write_kernel(box, spec_text(R"("-O1", "-fno-such-flag")", "rtol = 1e-3"),
                           source_text("", ";"));
  ProcessResult run = tune(box, spec);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("-fno-such-flag"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("not in a config"), std::string::npos) << run.output;
  std::vector<Result> stored = stored_results(box.db(), spec.string());
  // Eight failures stop it; configs compiling beside the eighth may be stored too.
  EXPECT_GE(stored.size(), 8u);
  EXPECT_LE(stored.size(), 12u);
  for (const Result& r : stored) EXPECT_EQ(r.status, Status::CompileError) << r.key;
}

TEST(CompileFailureStop, ASyntaxErrorNoParameterTouchesStopsTheRun) {
  TunaSandbox box("stop-syntax");
  auto spec = write_kernel(box, spec_text(R"("-O1")", "rtol = 1e-3"), source_text("", ""));
  ProcessResult run = tune(box, spec);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("stop_sum.cpp"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("not in a config"), std::string::npos) << run.output;
  EXPECT_LE(stored_results(box.db(), spec.string()).size(), 12u);
}

TEST(CompileFailureStop, AFailureOfSomeValuesLetsTheRunGoOn) {
  TunaSandbox box("stop-some");
  // The default (WORK=1) fails to compile, as do the two other configs with WORK=1; without a
  // reference to check against, the run measures the rest.
  auto spec =
      write_kernel(box, spec_text(R"("-O1")", R"(reference = "none")"),
                   source_text("#if WORK == 1\n#error WORK=1 is not supported\n#endif\n", ";"));
  ProcessResult run = tune(box, spec);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("not in a config"), std::string::npos) << run.output;
  std::vector<Result> stored = stored_results(box.db(), spec.string());
  EXPECT_EQ(stored.size(), 24u);
  std::size_t failed = 0;
  for (const Result& r : stored) failed += r.status == Status::CompileError ? 1 : 0;
  EXPECT_EQ(failed, 3u);
}
