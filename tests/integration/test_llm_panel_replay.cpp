// The LLM panel (bench/llm_panel, bench/results/llm.md) replayed without a model: every run
// recorded in results/<variant>.csv is answered from transcripts/<variant>.jsonl, with the
// variant's settings (the row's args), and must score exactly what the row says: what the live
// run scored or, for a row rescored after a fix that changed the search but not the requests
// (`panel.py rescore`, which keeps the live scores in live_score_at_* beside), the replay's
// scores at that commit. Needs the shared recordings beside the checkout (../shared/datasets);
// skipped where they are absent. Runs of the same space, strategy and settings with consecutive
// seeds replay in one `tuna compare --runs N`, whose JSON gives each run's scores.
//
// TUNA_TEST_PANEL_REPLAY_STRIDE=N replays every N-th run of each variant (its first included)
// instead of all of them. `make test-sanitize` sets it: under the sanitizers the point is the code
// paths (every variant's settings still run), while the plain `make test` of the same CI run
// checks every recorded score; replaying every run sanitized would cost about 30 minutes of CI
// (docs/building.md, the table of what `make test-sanitize` sets).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/cli_runner.hpp"

namespace tuna::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kPanel = fs::path(TUNA_SOURCE_DIR) / "bench" / "llm_panel";
const fs::path kDatasets = fs::path(TUNA_SOURCE_DIR) / ".." / "shared" / "datasets";
const char* const kBudgets[] = {"20", "50", "71", "100"};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  return out;
}

// A CSV row: header -> cell.
using Row = std::map<std::string, std::string>;

std::vector<Row> read_csv(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells = split(line);
    Row row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// `{datasets}` in a row's args (a --prior recording) stands for the shared recordings' folder.
std::string with_datasets(std::string word) {
  const std::string mark = "{datasets}";
  if (auto at = word.find(mark); at != std::string::npos) word.replace(at, mark.size(), kDatasets.string());
  return word;
}

// One test per variant (results/<variant>.csv), so that ctest runs them side by side and each
// stays far below the per-test timeout: replayed one after another, the 1079 runs of session 17
// took longer than ctest's 600 s on the two-core development machine.
std::vector<std::string> panel_variants() {
  std::vector<std::string> out;
  if (!fs::exists(kPanel / "results")) return out;
  for (const auto& entry : fs::directory_iterator(kPanel / "results"))
    if (entry.path().extension() == ".csv") out.push_back(entry.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LlmPanelReplayVariants, ThePanelHasRecordedVariants) {
  EXPECT_FALSE(panel_variants().empty()) << "no results/*.csv under " << kPanel;
}

// Every how many runs one is replayed (TUNA_TEST_PANEL_REPLAY_STRIDE, default 1: all of them).
// A value that is not a positive whole number fails the test instead of replaying fewer runs.
std::size_t replay_stride() {
  const char* text = std::getenv("TUNA_TEST_PANEL_REPLAY_STRIDE");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  const long stride = std::strtol(text, &end, 10);
  if (*end != '\0' || stride < 1) {
    ADD_FAILURE() << "TUNA_TEST_PANEL_REPLAY_STRIDE=" << text << " is not a positive whole number";
    return 1;
  }
  return static_cast<std::size_t>(stride);
}

// The runs to replay (every stride-th), in batches of one `tuna compare` each: rows of the same
// space, strategy and settings with consecutive seeds, so that the recording is read once per
// batch rather than once per run.
std::vector<std::vector<const Row*>> replay_batches(const std::vector<Row>& runs,
                                                    std::size_t stride) {
  std::vector<std::vector<const Row*>> batches;
  for (std::size_t index = 0; index < runs.size(); index += stride) {
    const Row& run = runs[index];
    if (!batches.empty()) {
      const Row& last = *batches.back().back();
      const bool same_settings = run.at("space") == last.at("space") &&
                                 run.at("strategy") == last.at("strategy") &&
                                 run.at("args") == last.at("args");
      if (same_settings && std::stoul(run.at("seed")) == std::stoul(last.at("seed")) + 1) {
        batches.back().push_back(&run);
        continue;
      }
    }
    batches.push_back({&run});
  }
  return batches;
}

// Each replayed run's scores per budget and its LLM calls, by seed, from `compare --json`.
struct ReplayedRun {
  std::map<std::string, double> score;  // by budget
  std::string calls;
};

std::map<std::string, ReplayedRun> replayed_runs(const std::string& json_text) {
  std::map<std::string, ReplayedRun> out;
  const nlohmann::json doc = nlohmann::json::parse(json_text);
  for (const auto& run : doc.at("spaces").at(0).at("strategies").at(0).at("llm").at("runs")) {
    ReplayedRun& r = out[std::to_string(run.at("seed").get<std::uint64_t>())];
    r.calls = std::to_string(run.at("calls").get<std::int64_t>());
    for (const auto& s : run.at("scores"))
      r.score[std::to_string(s.at("budget").get<std::size_t>())] = s.at("score").get<double>();
  }
  return out;
}

class LlmPanelReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(LlmPanelReplay, EveryRecordedRunScoresTheSameWithoutAModel) {
  if (!fs::exists(kDatasets)) GTEST_SKIP() << "no shared recordings at " << kDatasets;
  const std::string variant = GetParam();
  const fs::path transcript = kPanel / "transcripts" / (variant + ".jsonl");
  const auto runs = read_csv(kPanel / "results" / (variant + ".csv"));
  ASSERT_FALSE(runs.empty()) << variant;
  TunaSandbox box("llm-panel-replay-" + variant);
  for (const std::vector<const Row*>& batch : replay_batches(runs, replay_stride())) {
    const Row& first = *batch.front();
    std::vector<std::string> args = {
        "compare", (kPanel / "specs" / (first.at("space") + ".toml")).string(), "--strategies",
        first.at("strategy"), "--runs", std::to_string(batch.size()), "--seed", first.at("seed"),
        "--budgets", "20,50,71,100", "--threads", "1", "--llm-replay", transcript.string(),
        "--json", "-q"};
    for (std::string& w : words(first.at("args"))) args.push_back(with_datasets(std::move(w)));
    ProcessResult p = box.run(args);
    ASSERT_EQ(p.exit_code, 0) << variant << ": " << first.at("space") << " seed "
                              << first.at("seed") << "\n" << p.output;
    std::map<std::string, ReplayedRun> replayed;
    ASSERT_NO_THROW(replayed = replayed_runs(p.output)) << p.output;
    for (const Row* run : batch) {
      SCOPED_TRACE(variant + ": " + run->at("space") + " " + run->at("strategy") + " seed " +
                   run->at("seed"));
      ASSERT_EQ(replayed.count(run->at("seed")), 1u);
      const ReplayedRun& r = replayed.at(run->at("seed"));
      for (const char* budget : kBudgets)
        EXPECT_NEAR(r.score.at(budget), std::stod(run->at(std::string("score_at_") + budget)),
                    1e-6)
            << "at " << budget;
      EXPECT_EQ(r.calls, run->at("llm_calls"));
    }
  }
}

// Variant names are file stems of letters, digits and underscores: valid test names as they are.
INSTANTIATE_TEST_SUITE_P(Variants, LlmPanelReplay, ::testing::ValuesIn(panel_variants()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace tuna::testing
