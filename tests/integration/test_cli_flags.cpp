// Flags and inputs of the tuna command: counts refuse negative values, `tuna compare` writes
// files only when asked and refuses a recording it cannot score against.
#include <fstream>
#include <set>
#include <sstream>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

const std::vector<std::string> kSubcommands = {"tune",   "run",     "show",   "export",
                                               "import", "compare", "report", "devices"};

// The long names of the options that `tuna SUB --help` lists with an unsigned value (UINT):
// CLI11 2.1 reads "-5" into those as 2^64 - 5 unless the flag checks for it.
std::vector<std::string> unsigned_flags(const TunaSandbox& box, const std::string& sub) {
  ProcessResult help = box.run({sub, "--help"});
  EXPECT_TRUE(help.ok()) << help.output;
  std::vector<std::string> flags;
  std::istringstream lines(help.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string names, type;
    words >> names >> type;
    if (!names.starts_with("-") || !type.starts_with("UINT")) continue;
    std::string name = names.substr(names.rfind(',') + 1);  // "-n,--max-evals" -> "--max-evals"
    flags.push_back(name);
  }
  return flags;
}

// A file that exists but is no spec: without the check, the command got past its flags and
// failed on the file (or, given a real spec, ran with the wrapped value).
std::vector<std::string> positional(const std::string& sub) {
  if (sub == "devices" || sub == "report") return {};
  return {source_path("tests/data/kt_small.json")};
}

void expect_refused(const TunaSandbox& box, const std::string& sub,
                    const std::vector<std::string>& flag_and_value, const std::string& flag) {
  std::vector<std::string> args = {sub};
  for (const std::string& p : positional(sub)) args.push_back(p);
  args.insert(args.end(), flag_and_value.begin(), flag_and_value.end());
  ProcessResult p = box.run(args, 60);
  SCOPED_TRACE("tuna " + sub + " " + flag_and_value.front());
  EXPECT_EQ(p.exit_code, 2) << p.output;
  EXPECT_NE(p.output.find(flag + ": -5 is negative"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("0 or more"), std::string::npos) << p.output;
}

}  // namespace

TEST(CliFlags, EveryUnsignedFlagOfEverySubcommandRefusesANegativeValue) {
  TunaSandbox box("flags-negative");
  std::set<std::string> seen;
  for (const std::string& sub : kSubcommands) {
    for (const std::string& flag : unsigned_flags(box, sub)) {
      seen.insert(sub + " " + flag);
      expect_refused(box, sub, {flag + "=-5"}, flag);
    }
  }
  // The list comes from --help: make sure it found the flags the issue was about.
  for (const char* expected :
       {"tune --max-evals", "tune --batch", "tune --seed", "show --limit", "compare --runs",
        "compare --budgets", "compare --batch", "compare --threads", "compare --llm-runs"}) {
    EXPECT_TRUE(seen.contains(expected)) << expected;
  }
}

TEST(CliFlags, ANegativeCountAfterASpaceIsRefusedToo) {
  TunaSandbox box("flags-negative-space");
  expect_refused(box, "tune", {"--max-evals", "-5"}, "--max-evals");
  expect_refused(box, "tune", {"-n", "-5"}, "--max-evals");
  expect_refused(box, "compare", {"--runs", "-5"}, "--runs");
  expect_refused(box, "compare", {"--budgets=20,-5"}, "--budgets");
}

TEST(CliFlags, SignedCountsRefuseNegativeValues) {
  TunaSandbox box("flags-negative-signed");
  for (const char* flag : {"--finalists", "--shootout-rounds", "--compile-jobs", "--warmup"})
    expect_refused(box, "tune", {std::string(flag) + "=-5"}, flag);
}

namespace {

std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

ProcessResult compare_in(const TunaSandbox& box, const std::filesystem::path& dir,
                         const std::vector<std::string>& more) {
  std::vector<std::string> args = {"compare",      source_path("tests/data/kt_small.json"),
                                   "--runs",       "2",
                                   "--budgets",    "5,10",
                                   "--strategies", "random",
                                   "--threads",    "1"};
  args.insert(args.end(), more.begin(), more.end());
  RunProcessOptions options;
  options.timeout_s = 120;
  options.working_dir = dir;
  options.extra_env = box.env();
  return run_process(box.argv(args), options);
}

}  // namespace

TEST(CliFlags, CompareWritesNoFileUnlessAsked) {
  TunaSandbox box("compare-no-files");
  const std::filesystem::path work = box.dir() / "work";
  std::filesystem::create_directories(work);
  ProcessResult plain = compare_in(box, work, {});
  ASSERT_TRUE(plain.ok()) << plain.output;
  EXPECT_NE(plain.output.find("random"), std::string::npos) << plain.output;
  EXPECT_EQ(plain.output.find("wrote "), std::string::npos) << plain.output;
  EXPECT_TRUE(files_in(work).empty()) << "compare left files in the current folder";

  ProcessResult json = compare_in(box, work, {"--json"});
  ASSERT_TRUE(json.ok()) << json.output;
  EXPECT_TRUE(files_in(work).empty()) << "compare --json left files in the current folder";

  ProcessResult asked = compare_in(box, work, {"--csv", "scores.csv", "--svg", "plot.svg"});
  ASSERT_TRUE(asked.ok()) << asked.output;
  EXPECT_EQ(files_in(work), (std::vector<std::string>{"plot.svg", "scores.csv"}));
  EXPECT_NE(asked.output.find("wrote scores.csv"), std::string::npos) << asked.output;
  EXPECT_NE(asked.output.find("wrote plot.svg"), std::string::npos) << asked.output;

  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  ProcessResult empty = compare_in(box, work, {"--csv", "", "--svg", ""});  // the old way to skip
  ASSERT_TRUE(empty.ok()) << empty.output;
  EXPECT_TRUE(files_in(work).empty());
}

// A recording whose every config failed has no optimum: compare said "optimum inf ms" and
// scored every strategy 0 (exit 0), and such a space pulled the mean over spaces down.
TEST(CliFlags, CompareRefusesARecordingWithNothingCorrectNamingIt) {
  TunaSandbox box("compare-no-optimum");
  const std::filesystem::path failed = box.dir() / "all_failed.json";
  std::ofstream(failed) << R"({"device_name": "GPU", "kernel_name": "k",
    "tune_params_keys": ["bx"], "tune_params": {"bx": [1, 2]}, "objective": "time",
    "cache": {"1": {"bx": 1, "time": "RuntimeFailedConfig"},
              "2": {"bx": 2, "time": "CompilationFailedConfig"}}})";
  for (const std::vector<std::string>& files :
       {std::vector<std::string>{failed.string()},
        std::vector<std::string>{source_path("tests/data/kt_small.json"), failed.string()}}) {
    std::vector<std::string> args = {"compare"};
    args.insert(args.end(), files.begin(), files.end());
    for (const char* a : {"--runs", "1", "--budgets", "2", "--strategies", "random", "-q"})
      args.push_back(a);
    ProcessResult p = box.run(args, 60);
    EXPECT_EQ(p.exit_code, 2) << p.output;
    EXPECT_NE(p.output.find("all_failed.json: no configuration of this recording ran correctly"),
              std::string::npos)
        << p.output;
    EXPECT_NE(p.output.find("2 recorded"), std::string::npos) << p.output;
  }
}
