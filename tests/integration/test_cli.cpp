// The tuna command on the host examples: tune, run, show, export, devices, and clear errors.
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

const std::vector<std::string> kQuickRun = {"--timing-budget", "10", "--min-reps", "3"};
const std::vector<std::string> kQuick = {"--timing-budget", "10", "--min-reps", "3",
                                         "--shootout-rounds", "2"};

std::vector<std::string> with(std::vector<std::string> args,
                              const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

class Examples : public ::testing::TestWithParam<std::string> {};

TEST_P(Examples, TuneFindsACorrectConfigAndReportsThroughput) {
  TunaSandbox box("example-" + GetParam());
  std::string spec = source_path("examples/host/" + GetParam() + "/spec.toml");
  ProcessResult run = box.run(with({"tune", spec, "--max-evals", "8", "--seed", "3"}, kQuick));
  ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.output;
  EXPECT_NE(run.output.find("best:"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("speedup"), std::string::npos) << run.output;
  EXPECT_TRUE(run.output.find("GFLOP/s") != std::string::npos ||
              run.output.find("GB/s") != std::string::npos)
      << run.output;
  std::vector<Result> results = stored_results(box.db(), spec);
  ASSERT_GE(results.size(), 8u);
  EXPECT_TRUE(results.front().ok()) << results.front().message;
}

INSTANTIATE_TEST_SUITE_P(Host, Examples, ::testing::Values("matmul", "rowsum"));

TEST(Cli, RunShowAndExportWorkTogether) {
  TunaSandbox box("run-show-export");
  std::string spec = source_path("examples/host/matmul/spec.toml");
  ProcessResult run = box.run(with({"run", spec, "--config", "BM=32,UNROLL=2"}, kQuickRun));
  ASSERT_TRUE(run.ok()) << run.output;
  EXPECT_NE(run.output.find("status:  ok"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("check:   passed"), std::string::npos) << run.output;

  ProcessResult show = box.run({"show", spec});
  ASSERT_TRUE(show.ok()) << show.output;
  EXPECT_NE(show.output.find("BM=32"), std::string::npos) << show.output;
  EXPECT_NE(show.output.find("UNROLL=2"), std::string::npos) << show.output;

  ProcessResult json = box.run({"export", spec, "--format", "json"});
  ASSERT_TRUE(json.ok()) << json.output;
  auto parsed = nlohmann::json::parse(json.output);
  EXPECT_EQ(parsed["kernel"], "matmul");
  EXPECT_EQ(parsed["config"]["BM"], 32);
  EXPECT_EQ(parsed["config"]["UNROLL"], 2);
  EXPECT_GT(parsed["median_ms"].get<double>(), 0);

  // The header compiles and holds the tuned values.
  std::filesystem::path header = box.dir() / "matmul_tuned.hpp";
  ProcessResult exported = box.run({"export", spec, "-o", header.string()});
  ASSERT_TRUE(exported.ok()) << exported.output;
  std::filesystem::path user = box.dir() / "use.cpp";
  write_file(user, "#include \"matmul_tuned.hpp\"\n"
                   "static_assert(tuna_tuned::matmul::BM == 32);\n"
                   "static_assert(tuna_tuned::matmul::UNROLL == 2);\n"
                   "static_assert(!tuna_tuned::matmul::PACK_B);\n"
                   "int main() { return 0; }\n");
  ProcessResult compiled = run_process({"c++", "-std=c++17", "-fsyntax-only", user.string()});
  EXPECT_TRUE(compiled.ok()) << compiled.output;
}

TEST(Cli, DevicesListsTheHostBackend) {
  TunaSandbox box("devices");
  ProcessResult devices = box.run({"devices", "--facts"});
  ASSERT_TRUE(devices.ok()) << devices.output;
  EXPECT_NE(devices.output.find("host"), std::string::npos);
  EXPECT_NE(devices.output.find("device.cores"), std::string::npos) << devices.output;
}

TEST(Cli, EverySubcommandHasHelpWithAnExample) {
  TunaSandbox box("help");
  for (std::string cmd : {"tune", "run", "show", "export", "devices"}) {
    ProcessResult help = box.run({cmd, "--help"});
    EXPECT_TRUE(help.ok()) << cmd;
    EXPECT_NE(help.output.find("Example"), std::string::npos) << cmd << ":\n" << help.output;
  }
}

TEST(Cli, ABadSpecIsAUserErrorNamingFileAndLine) {
  TunaSandbox box("bad-spec");
  std::filesystem::path spec = box.dir() / "bad.toml";
  write_file(box.dir() / "k.cpp", "void k(float* x) { x[0] = 1; }\n");
  write_file(spec, "[kernel]\nname = \"k\"\nsource = \"k.cpp\"\nentrypoint = \"k\"\n\n"
                   "[params]\nA = { values = [1, 2], default = 1 }\n");
  ProcessResult run = box.run({"tune", spec.string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("bad.toml:4"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("entry"), std::string::npos) << run.output;
}

TEST(Cli, AnInvalidConfigIsAClearError) {
  TunaSandbox box("bad-config");
  std::string spec = source_path("examples/host/matmul/spec.toml");
  ProcessResult run = box.run({"run", spec, "--config", "BM=7"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("BM"), std::string::npos) << run.output;
  ProcessResult unknown = box.run({"run", spec, "--config", "BMM=16"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("BMM"), std::string::npos) << unknown.output;
}

TEST(Cli, MissingSpecFileIsAUserError) {
  TunaSandbox box("missing");
  ProcessResult run = box.run({"tune", "/nonexistent/spec.toml"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("/nonexistent/spec.toml"), std::string::npos) << run.output;
}
