// `tuna tune` and `tuna run` on a host kernel whose input comes from a .npy file and whose output
// is checked against an expected .npy file, as a NumPy front end (Kernel Tuner's tune_kernel with
// arguments= and answer=) writes them: the config that computes the answer is correct, the one
// that adds 1 is recorded as wrong, and the store keys the results by the files' contents.
#include <fstream>

#include "cli_runner.hpp"
#include "support/npy_writer.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

constexpr const char* kSource = R"(
extern "C" void twice(const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] = 2.0f * x[i] + WRONG;
}
)";

// No count anywhere: both buffers take theirs from the files. No [check]: the expected file makes
// the reference "expected".
constexpr const char* kSpec = R"([kernel]
name = "twice"
source = "twice.cpp"
entry = "twice"
flags = ["-O1"]

[problem]
N = 1000

[params]
WRONG = { values = [0, 1], default = 0, description = "1 adds 1 to every element" }

[[args]]
name = "x"
type = "f32"
file = "x.npy"

[[args]]
name = "y"
type = "f32"
role = "output"
expected = "y_expected.npy"

[[args]]
name = "n"
type = "i32"
value = "N"
)";

std::vector<float> inputs(float offset) {
  std::vector<float> x(1000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 37) * 0.25f - offset;
  return x;
}

std::filesystem::path write_kernel(const TunaSandbox& box, float offset) {
  std::ofstream(box.dir() / "twice.cpp") << kSource;
  std::ofstream(box.dir() / "spec.toml") << kSpec;
  const std::vector<float> x = inputs(offset);
  std::vector<float> y;
  for (float v : x) y.push_back(2 * v);
  write_npy(box.dir() / "x.npy", x);
  write_npy(box.dir() / "y_expected.npy", y);
  return box.dir() / "spec.toml";
}

ProcessResult tune(const TunaSandbox& box, const std::filesystem::path& spec) {
  return box.run({"tune", spec.string(), "--strategy", "exhaustive", "-j", "1", "--timing-budget",
                  "5", "--min-reps", "2", "--shootout-rounds", "0"});
}

const Result* find(const std::vector<Result>& results, const std::string& key) {
  for (const Result& r : results) {
    if (r.key == key) return &r;
  }
  return nullptr;
}

}  // namespace

TEST(ArgFilesTune, TheRightConfigPassesAndTheOneThatAddsOneIsWrong) {
  TunaSandbox box("arg-files-tune");
  const auto spec = write_kernel(box, 3.0f);
  ProcessResult run = tune(box, spec);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<Result> stored = stored_results(box.db(), spec.string());
  ASSERT_EQ(stored.size(), 2u) << run.output;
  const Result* right = find(stored, "WRONG=0");
  const Result* wrong = find(stored, "WRONG=1");
  ASSERT_TRUE(right && wrong) << run.output;
  EXPECT_EQ(right->status, Status::Ok) << right->message;
  EXPECT_EQ(right->max_abs_error, 0);
  EXPECT_EQ(wrong->status, Status::WrongResult) << wrong->message;
  EXPECT_EQ(wrong->error_class, "mismatch");
  // x[0] = -3: the answer is -6, the wrong config gives -5; every element differs.
  EXPECT_NE(wrong->message.find("y[0] = -5, expected -6"), std::string::npos) << wrong->message;
  EXPECT_NE(wrong->message.find("1000 of 1000 elements of y differ"), std::string::npos)
      << wrong->message;
}

TEST(ArgFilesTune, RunChecksOneConfigAndNewInputsAreANewKernelSpec) {
  TunaSandbox box("arg-files-run");
  const auto spec = write_kernel(box, 3.0f);
  ProcessResult right = box.run({"run", spec.string(), "--config", "WRONG=0"});
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(right.output.find("check:   passed"), std::string::npos) << right.output;
  ProcessResult wrong = box.run({"run", spec.string(), "--config", "WRONG=1"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("wrong_result"), std::string::npos) << wrong.output;
  const std::string hash = load_spec(spec).content_hash();

  // Other data in the files: another spec hash, so the stored results are not reused for it.
  write_kernel(box, 1.0f);
  EXPECT_NE(load_spec(spec).content_hash(), hash);
  ProcessResult again = box.run({"run", spec.string(), "--config", "WRONG=0"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  Store store(box.db());
  EXPECT_EQ(store.contexts("twice").size(), 2u);
}

TEST(ArgFilesTune, AMismatchedFileStopsTheRunWithTheSpecLocation) {
  TunaSandbox box("arg-files-bad");
  const auto spec = write_kernel(box, 3.0f);
  write_npy(box.dir() / "y_expected.npy", std::vector<double>(1000), {"<f8"});
  ProcessResult run = tune(box, spec);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(spec.string() + ":22: args[1].expected: '"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("has dtype <f8 (f64), but the argument's type is f32"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("arr.astype(numpy.float32)"), std::string::npos) << run.output;
}
