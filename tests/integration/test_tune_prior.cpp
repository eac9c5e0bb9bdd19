// Priors in `tuna tune` (docs/priors.md): --prior FILE, the store's other contexts of the kernel,
// --no-store-prior, and the summary's word on how well each prior predicted the run, which the
// run also stores (its findings) for `tuna report`. On the simulation backend: a recording of
// "GPU A" is replayed, one of "GPU B" is the prior.
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "json_runner.hpp"

using namespace tuna;
using namespace tuna::testing;
using Json = nlohmann::ordered_json;

namespace {

// A Kernel Tuner cache of 12 configs (bx in 1..8, mode a/b/c) on `device`, every time scaled by
// `scale`: two devices that rank every config the same.
std::string write_recording(const TunaSandbox& box, const std::string& name,
                            const std::string& device, double scale) {
  Json cache = Json::object();
  int i = 0;
  for (int bx : {1, 2, 4, 8}) {
    for (const char* mode : {"a", "b", "c"}) {
      const double t = scale * (1.0 + 0.37 * ((i * 5) % 12));
      ++i;
      cache[std::to_string(bx) + "," + mode] = {{"bx", bx},
                                                {"mode", mode},
                                                {"time", t},
                                                {"times", {t, t}},
                                                {"compile_time", 10.0},
                                                {"benchmark_time", 1.0},
                                                {"verification_time", 0},
                                                {"framework_time", 0},
                                                {"strategy_time", 0}};
    }
  }
  Json doc = {{"device_name", device},
              {"kernel_name", "small_prior"},
              {"problem_size", {64}},
              {"tune_params_keys", {"bx", "mode"}},
              {"tune_params", {{"bx", {1, 2, 4, 8}}, {"mode", {"a", "b", "c"}}}},
              {"objective", "time"},
              {"cache", cache}};
  const std::string path = (box.dir() / name).string();
  std::ofstream(path) << doc.dump(1);
  return path;
}

// The replay spec of GPU A's recording (`tuna import --write-spec` also stores that recording,
// which a replay of it must not take for a prior).
std::string replay_spec(const TunaSandbox& box) {
  const std::string spec = (box.dir() / "sim.toml").string();
  ProcessResult imported =
      box.run({"import", write_recording(box, "gpu_a.json", "GPU A", 1.0), "--write-spec", spec});
  EXPECT_TRUE(imported.ok()) << imported.output;
  return spec;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(TunePrior, APriorFileIsUsedAndItsAgreementReported) {
  TunaSandbox box("prior-file");
  const std::string spec = replay_spec(box);
  const std::string prior = write_recording(box, "gpu_b.json", "GPU B", 1.3);
  // --prior before the spec: it takes one file, and the spec stays the spec.
  ProcessResult run = box.run({"tune", "--prior", prior, spec, "-n", "6", "--fresh"});
  ASSERT_TRUE(run.ok()) << run.output;
  EXPECT_TRUE(has(run.output, "prior: gpu_b.json (GPU B, problem 64, 12 configs)")) << run.output;
  // GPU B ranks every config as GPU A does.
  EXPECT_TRUE(has(run.output,
                  "prior:   gpu_b.json (GPU B, problem 64, 12 configs): Spearman "
                  "1.00 over 6 configs measured here"))
      << run.output;

  SplitOutput json = run_split(box, {"tune", spec, "--prior", prior, "-n", "6", "--json"});
  ASSERT_TRUE(json.process.ok()) << json.process.output << json.err;
  Json doc = Json::parse(json.process.output);
  ASSERT_EQ(doc["priors"].size(), 1u) << json.process.output;
  EXPECT_EQ(doc["priors"][0]["configs"], 12);
  EXPECT_EQ(doc["priors"][0]["from_store"], false);
  EXPECT_GE(doc["priors"][0]["compared"].get<int>(), 3);
  EXPECT_DOUBLE_EQ(doc["priors"][0]["spearman"].get<double>(), 1.0);
}

// The id `tuna tune` prints at its end ("run: N"); 0 when missing.
std::int64_t printed_run_id(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex(R"((?:^|\n)run: (\d+))"))) return 0;
  return std::stoll(m[1]);
}

TEST(TunePrior, TheRunStoresHowWellItsPriorPredictedAndTheReportShowsIt) {
  TunaSandbox box("prior-findings");
  const std::string spec = replay_spec(box);
  const std::string prior = write_recording(box, "gpu_b.json", "GPU B", 1.3);
  ProcessResult run = box.run({"tune", spec, "--prior", prior, "-n", "6", "--fresh"});
  ASSERT_TRUE(run.ok()) << run.output;
  const std::int64_t run_id = printed_run_id(run.output);
  ASSERT_GT(run_id, 0) << run.output;

  Json findings;
  {
    Store store(box.db());
    std::optional<std::pair<RunRecord, StoreContext>> stored = store.run(run_id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->first.outcome, "completed");
    findings = Json::parse(stored->first.findings_json);
  }
  ASSERT_EQ(findings["priors"].size(), 1u) << findings.dump();
  const Json& p = findings["priors"][0];
  EXPECT_EQ(p["label"], "gpu_b.json (GPU B, problem 64, 12 configs)");
  EXPECT_EQ(p["configs"], 12);
  EXPECT_EQ(p["from_store"], false);
  EXPECT_EQ(p["compared"], 6);
  EXPECT_DOUBLE_EQ(p["spearman"].get<double>(), 1.0);

  const std::string html = (box.dir() / "report.html").string();
  ProcessResult report = box.run({"report", "--run", std::to_string(run_id), "-o", html});
  ASSERT_TRUE(report.ok()) << report.output;
  std::stringstream text;
  text << std::ifstream(html).rdbuf();
  const std::string page = text.str();
  EXPECT_TRUE(has(page, "<section id=\"priors\"><h2>Priors</h2>")) << page;
  EXPECT_TRUE(has(page, "gpu_b.json (GPU B, problem 64, 12 configs)"));
  EXPECT_TRUE(has(page, "<td class=\"msg nowrap\">a --prior file</td><td>12</td>"));
  EXPECT_TRUE(has(page, "<b>Spearman 1.00</b> over 6 configs both ran correctly"));

  // A run without priors stores an empty list, and its report has no priors part.
  ProcessResult none =
      box.run({"tune", spec, "-n", "4", "--fresh", "--seed", "9", "--no-store-prior"});
  ASSERT_TRUE(none.ok()) << none.output;
  const std::int64_t none_id = printed_run_id(none.output);
  {
    Store store(box.db());
    EXPECT_EQ(Json::parse(store.run(none_id)->first.findings_json),
              Json::parse(R"({"priors":[]})"));
  }
  report = box.run({"report", "--run", std::to_string(none_id), "-o", html});
  ASSERT_TRUE(report.ok()) << report.output;
  std::stringstream none_text;
  none_text << std::ifstream(html).rdbuf();
  EXPECT_FALSE(has(none_text.str(), "id=\"priors\""));
}

TEST(TunePrior, AnotherDeviceInTheStoreIsAPriorUnlessTurnedOff) {
  TunaSandbox box("prior-store");
  const std::string spec = replay_spec(box);
  ProcessResult imported = box.run({"import", write_recording(box, "gpu_b.json", "GPU B", 2.0)});
  ASSERT_TRUE(imported.ok()) << imported.output;

  ProcessResult run = box.run({"tune", spec, "-n", "5", "--fresh"});
  ASSERT_TRUE(run.ok()) << run.output;
  // GPU B's context only: GPU A's imported recording is what this run replays.
  EXPECT_TRUE(has(run.output, "prior: store: GPU B (sim), problem 64 (12 configs)")) << run.output;
  EXPECT_FALSE(has(run.output, "store: GPU A")) << run.output;
  EXPECT_TRUE(has(run.output, "(12 configs): Spearman 1.00 over 5 configs measured here"))
      << run.output;

  ProcessResult off = box.run({"tune", spec, "-n", "5", "--fresh", "--no-store-prior"});
  ASSERT_TRUE(off.ok()) << off.output;
  EXPECT_FALSE(has(off.output, "prior:")) << off.output;
}

TEST(TunePrior, AMissingOrForeignPriorFileIsAUserError) {
  TunaSandbox box("prior-errors");
  const std::string spec = replay_spec(box);
  const std::string missing = (box.dir() / "missing.json").string();
  ProcessResult run = box.run({"tune", spec, "--prior", missing});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(has(run.output, "--prior " + missing + ": no such file")) << run.output;

  const std::string foreign = (box.dir() / "foreign.json").string();
  std::ofstream(foreign) << R"({"tune_params_keys": ["tile"], "tune_params": {"tile": [1]},
    "cache": {"1": {"tile": 1, "time": 1.0}}})";
  run = box.run({"tune", spec, "--prior", foreign});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(has(run.output, "no parameter in common")) << run.output;
}
