// `--json` on tune, run, show and compare: stdout holds exactly one JSON document with the
// fields docs/json.md promises; --quiet leaves stderr empty.
#include <nlohmann/json.hpp>

#include "json_runner.hpp"

using namespace tuna;
using namespace tuna::testing;
using nlohmann::json;

namespace {

const std::vector<std::string> kQuick = {"--timing-budget", "5", "--min-reps", "3"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

json parse_stdout(const SplitOutput& out) {
  EXPECT_TRUE(out.process.ok()) << out.process.describe() << "\n" << out.process.output << out.err;
  json doc = json::parse(out.process.output, nullptr, false);  // fails on anything but one document
  EXPECT_FALSE(doc.is_discarded()) << "stdout is not one JSON document:\n" << out.process.output;
  if (!doc.is_discarded()) EXPECT_EQ(doc["schema_version"], 1);
  return doc;
}

void expect_result(const json& r) {
  ASSERT_TRUE(r.is_object()) << r;
  EXPECT_TRUE(r["key"].is_string());
  EXPECT_TRUE(r["config"].is_object());
  EXPECT_EQ(r["status"], "ok") << r;
  EXPECT_GT(r["median_ms"].get<double>(), 0);
  EXPECT_GE(r["times_ms"].size(), 3u);
  EXPECT_TRUE(r["resources"].is_object());
  EXPECT_TRUE(r["device"].is_string()) << r;
  EXPECT_GE(r["spread"].get<double>(), 0);
}

const std::string kSpec = source_path("examples/host/rowsum/spec.toml");

}  // namespace

TEST(JsonOutput, TuneRunAndShowWriteOneDocumentEach) {
  TunaSandbox box("json-tune");
  SplitOutput tune = run_split(
      box, with({"tune", kSpec, "--json", "--max-evals", "5", "--seed", "2", "--strategy",
                 "random", "--shootout-rounds", "1", "--finalists", "2"},
                kQuick));
  json t = parse_stdout(tune);
  EXPECT_EQ(t["command"], "tune");
  EXPECT_EQ(t["kernel"], "rowsum");
  EXPECT_EQ(t["problem"], "C=4096,R=1024");
  EXPECT_GT(t["run_id"].get<int>(), 0);
  EXPECT_EQ(t["device"]["backend"], "host");
  EXPECT_TRUE(t["device"]["facts"].contains("cores")) << t["device"];
  EXPECT_EQ(t["strategy"], "random");
  EXPECT_TRUE(t["stop_reason"].is_string());
  EXPECT_EQ(t["considered"], 5);
  EXPECT_EQ(t["counts"]["ok"], 5) << t["counts"];
  expect_result(t["best"]);
  EXPECT_TRUE(t["best"]["config"]["VEC"].is_number_integer()) << t["best"]["config"];
  EXPECT_TRUE(t["best"]["throughput"]["gbps"].is_number()) << t["best"];
  expect_result(t["default"]);
  EXPECT_EQ(t["default"]["key"], "VEC=1,ACC=1,ROWS=1,THREADS=1");
  EXPECT_GT(t["speedup"].get<double>(), 0);
  EXPECT_GE(t["finalists"].size(), 1u);
  EXPECT_GE(t["time_split"]["evaluate_wall_s"].get<double>(), 0);
  // Starting the host's bench worker takes some time before the run's clock starts.
  EXPECT_GT(t["time_split"]["setup_s"].get<double>(), 0);
  // The share of the run with no config in the bench worker: the host backend compiles each
  // round before running it, so it is well above zero and below one.
  const double idle = t["time_split"]["device_idle_share"].get<double>();
  EXPECT_GT(idle, 0.0);
  EXPECT_LT(idle, 1.0);
  EXPECT_NEAR(idle, 1.0 - t["time_split"]["run_s"].get<double>() / t["elapsed_s"].get<double>(),
              1e-9);
  EXPECT_GT(t["elapsed_s"].get<double>(), 0);
  // Progress (plain lines: stderr is a file) stays on stderr.
  EXPECT_NE(tune.err.find("[5/5]"), std::string::npos) << tune.err;

  SplitOutput run = run_split(box, with({"run", kSpec, "--json", "--config", "VEC=8,ACC=2"},
                                        kQuick));
  json r = parse_stdout(run);
  EXPECT_EQ(r["command"], "run");
  expect_result(r["result"]);
  EXPECT_EQ(r["result"]["config"]["VEC"], 8);
  EXPECT_EQ(r["result"]["config"]["ACC"], 2);
  EXPECT_EQ(r["device"]["backend"], "host");

  SplitOutput show = run_split(box, {"show", kSpec, "--json", "--limit", "3"});
  json s = parse_stdout(show);
  EXPECT_EQ(s["command"], "show");
  ASSERT_EQ(s["contexts"].size(), 1u);
  const json& ctx = s["contexts"][0];
  EXPECT_EQ(ctx["problem"], "C=4096,R=1024");
  EXPECT_GE(ctx["total"].get<int>(), 6);
  ASSERT_EQ(ctx["results"].size(), 3u);
  double previous = 0;
  for (const json& row : ctx["results"]) {  // best first
    expect_result(row);
    EXPECT_GE(row["median_ms"].get<double>(), previous);
    previous = row["median_ms"].get<double>();
  }
  EXPECT_EQ(ctx["results"][0]["rank"], 1);
  EXPECT_EQ(t["spec_hash"], ctx["spec_hash"]);  // the run's context, not a second hashing
}

TEST(JsonOutput, QuietTuneWritesNothingButTheJsonOrTheSummary) {
  TunaSandbox box("json-quiet");
  SplitOutput json_quiet = run_split(
      box, with({"tune", kSpec, "--json", "--quiet", "--max-evals", "2", "--shootout-rounds",
                 "0"},
                kQuick));
  json t = parse_stdout(json_quiet);
  EXPECT_EQ(t["considered"], 2);
  EXPECT_EQ(json_quiet.err, "");
  ASSERT_EQ(t["considered_keys"].size(), 2u) << t["considered_keys"];
  EXPECT_EQ(t["considered_keys"][0], "VEC=1,ACC=1,ROWS=1,THREADS=1");  // the default comes first

  SplitOutput quiet = run_split(
      box, with({"tune", kSpec, "--quiet", "--max-evals", "2", "--shootout-rounds", "0"}, kQuick));
  ASSERT_TRUE(quiet.process.ok()) << quiet.process.output << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_NE(quiet.process.output.find("best:"), std::string::npos) << quiet.process.output;
}

TEST(JsonOutput, ConsideredKeysListThisRunsConfigsReusedOnesIncluded) {
  TunaSandbox box("json-considered");
  const std::vector<std::string> tune = with(
      {"tune", kSpec, "--json", "--quiet", "--max-evals", "3", "--seed", "4", "--strategy",
       "random", "--shootout-rounds", "0"},
      kQuick);
  json first = parse_stdout(run_split(box, tune));
  json second = parse_stdout(run_split(box, tune));  // the same seed: the same configs, stored
  EXPECT_EQ(second["measured"], 0) << second;
  EXPECT_EQ(second["reused"], 3) << second;
  EXPECT_EQ(second["considered_keys"], first["considered_keys"]);
  EXPECT_EQ(first["considered_keys"].size(), 3u);
}

TEST(JsonOutput, VeryVerboseShowsEachConfigsDetails) {
  TunaSandbox box("json-vv");
  SplitOutput vv = run_split(
      box, with({"tune", kSpec, "-vv", "--max-evals", "2", "--shootout-rounds", "0"}, kQuick));
  ASSERT_TRUE(vv.process.ok()) << vv.err;
  EXPECT_NE(vv.err.find("repetitions"), std::string::npos) << vv.err;
  EXPECT_NE(vv.err.find("compile:"), std::string::npos) << vv.err;
}

TEST(JsonOutput, CompareGivesScoresPerSpaceStrategyAndBudget) {
  TunaSandbox box("json-compare");
  std::string csv = (box.dir() / "c.csv").string(), svg = (box.dir() / "c.svg").string();
  SplitOutput cmp = run_split(
      box, {"compare", source_path("tests/data/kt_small.json"), "--json", "--runs", "3",
            "--budgets", "5,10", "--strategies", "random,pattern", "--csv", csv, "--svg", svg,
            "--threads", "1"});
  json c = parse_stdout(cmp);
  EXPECT_EQ(c["command"], "compare");
  EXPECT_EQ(c["options"]["budgets"], json({5, 10}));
  ASSERT_EQ(c["spaces"].size(), 1u);
  const json& space = c["spaces"][0];
  EXPECT_GT(space["configs"].get<int>(), 0);
  EXPECT_GT(space["optimum_ms"].get<double>(), 0);
  ASSERT_EQ(space["strategies"].size(), 3u);  // random, pattern, random's exact expectation
  bool saw_expectation = false;
  for (const json& st : space["strategies"]) {
    ASSERT_EQ(st["scores"].size(), 2u);
    EXPECT_EQ(st["scores"][1]["budget"], 10);
    double score = st["scores"][1]["mean_score"].get<double>();
    EXPECT_GT(score, 0);
    EXPECT_LE(score, 1.0 + 1e-9);
    EXPECT_EQ(st["targets"].size(), 2u);
    // The exact expectation has no error; replayed runs have one (null only for a single run).
    const json& err = st["scores"][1]["stderr"];
    if (st["random_expectation"].get<bool>()) {
      EXPECT_EQ(err, 0.0);
    } else {
      ASSERT_TRUE(err.is_number()) << st.dump();
      EXPECT_GE(err.get<double>(), 0.0);
      EXPECT_LT(err.get<double>(), 0.5);
    }
    saw_expectation = saw_expectation || st["random_expectation"].get<bool>();
  }
  EXPECT_TRUE(saw_expectation);
  EXPECT_EQ(c["average"].size(), 3u);
  EXPECT_NE(cmp.err.find("wrote"), std::string::npos) << cmp.err;  // notices on stderr
}
