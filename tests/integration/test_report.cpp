// `tuna report` end to end: tune the rowsum example into a sandbox store, write the report, and
// render it in headless Chromium (Debian's chromium package): the page must load, draw, and hold
// every section.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

namespace fs = std::filesystem;

std::string chromium_path() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(candidate)) return candidate;
  }
  return {};
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Chromium as a sandboxed test runs it: no GPU, no first-run UI, a private profile.
ProcessResult run_chromium(const TunaSandbox& box, std::vector<std::string> args) {
  std::vector<std::string> argv = {chromium_path(),       "--headless",
                                   "--no-sandbox",        "--disable-gpu",
                                   "--disable-dev-shm-usage", "--no-first-run",
                                   "--user-data-dir=" + (box.dir() / "chromium").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunProcessOptions options;
  options.timeout_s = 120;
  options.extra_env = {{"HOME", box.dir().string()}};
  return run_process(argv, options);
}

class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = source_path("examples/host/rowsum/spec.toml");
    ProcessResult tune = box_.run({"tune", spec_, "--max-evals", "10", "--seed", "5",
                                   "--timing-budget", "10", "--min-reps", "3",
                                   "--shootout-rounds", "2"});
    ASSERT_TRUE(tune.ok()) << tune.describe() << "\n" << tune.output;
  }
  TunaSandbox box_{"report"};
  std::string spec_;
};

TEST_F(ReportCommand, WritesAReportThatChromiumRenders) {
  fs::path html = box_.dir() / "report.html";
  ProcessResult report = box_.run({"report", spec_, "-o", html.string()});
  ASSERT_TRUE(report.ok()) << report.describe() << "\n" << report.output;
  EXPECT_NE(report.output.find("wrote"), std::string::npos) << report.output;
  std::string text = read_text(html);
  for (const char* id : {"summary", "best", "convergence", "distribution", "top", "failures"})
    EXPECT_NE(text.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(text.find("rowsum"), std::string::npos);
  EXPECT_NE(text.find("GB/s"), std::string::npos);

  if (chromium_path().empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  fs::path png = box_.dir() / "report.png";
  ProcessResult shot = run_chromium(
      box_, {"--screenshot=" + png.string(), "--window-size=1280,2400", "file://" + html.string()});
  ASSERT_TRUE(shot.ok()) << shot.describe() << "\n" << shot.output;
  ASSERT_TRUE(fs::exists(png)) << shot.output;
  // A blank 1280x2400 page compresses to a few KB; text, tables and plots take far more.
  EXPECT_GT(fs::file_size(png), 60'000u);

  ProcessResult dom = run_chromium(box_, {"--dump-dom", "file://" + html.string()});
  ASSERT_TRUE(dom.ok()) << dom.describe() << "\n" << dom.output;
  for (const char* heading : {"Summary", "Best config against the default", "Convergence",
                              "Distribution of measured times", "Failures"})
    EXPECT_NE(dom.output.find(heading), std::string::npos) << heading;
  EXPECT_NE(dom.output.find("<svg"), std::string::npos);
  EXPECT_NE(dom.output.find("Best so far against wall time"), std::string::npos);
}

TEST_F(ReportCommand, ReportsARunByIdAloneAndNamesMissingRuns) {
  fs::path html = box_.dir() / "by-id.html";
  ProcessResult report = box_.run({"report", "--run", "1", "-o", html.string()});
  ASSERT_TRUE(report.ok()) << report.describe() << "\n" << report.output;
  std::string text = read_text(html);
  EXPECT_NE(text.find("id=\"convergence\""), std::string::npos);
  EXPECT_NE(text.find("Pass the spec"), std::string::npos);

  ProcessResult missing = box_.run({"report", "--run", "99", "-o", html.string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("no run 99"), std::string::npos) << missing.output;

  ProcessResult nothing = box_.run({"report", "-o", html.string()});
  EXPECT_EQ(nothing.exit_code, 2) << nothing.output;
  EXPECT_NE(nothing.output.find("needs a spec"), std::string::npos) << nothing.output;
}

}  // namespace
