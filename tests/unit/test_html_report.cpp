// The HTML report from a store filled here: its sections, the escaping of everything the store
// holds (config values, messages, LLM replies, prior labels), the plots' SVG, the rebuilt LLM
// rounds, and the priors part (from the run's findings, or its options for older runs).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "report/svg_plot.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using report::load_run_report;
using report::render_html_report;

constexpr const char* kScript = "<script>alert(1)</script>";
constexpr const char* kEscapedScript = "&lt;script&gt;alert(1)&lt;/script&gt;";
constexpr double kT0 = 1'700'000'000.0;

class TempDb {
 public:
  TempDb() {
    dir_ = fs::temp_directory_path() /
           ("tuna-html-report-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDb() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path path() const { return dir_ / "tuna.db"; }

 private:
  fs::path dir_;
};

KernelSpec rowsum_spec() {
  return load_spec(std::string(TUNA_SOURCE_DIR) + "/examples/host/rowsum/spec.toml");
}

StoreContext context_of(const KernelSpec& spec) {
  return {spec.name, spec.content_hash(), spec.problem_key(), "test-cpu-1", "Test CPU", "host"};
}

Result ok_result(const std::string& key, double ms, double started) {
  Result r;
  r.key = key;
  r.status = Status::Ok;
  r.times_ms = {ms * 0.99, ms, ms * 1.02};
  r.median_ms = ms;
  r.compile_ms = 120;
  r.resources = {{"registers", 32}, {"spills", 0}};
  r.started_at = started;
  r.finished_at = started + 0.5;
  return r;
}

Result failed_result(const std::string& key, Status status, const std::string& error_class,
                     const std::string& message, double started) {
  Result r;
  r.key = key;
  r.status = status;
  r.error_class = error_class;
  r.message = message;
  r.started_at = started;
  r.finished_at = started + 0.2;
  return r;
}

const std::string kDefaultKey = "VEC=1,ACC=1,ROWS=1,THREADS=1";

// An LLM run: the default and a seed before the first reply, two configs proposed by round 0
// (one fails with a hostile message), one by round 1.
std::int64_t fill_llm_run(Store& store, const StoreContext& ctx) {
  std::int64_t run = store.begin_run(
      ctx, "llm",
      R"({"max_evals":20,"search":{"provider":"openai","api_key":"sk-secret-123",)"
      R"("base_url":"https://user:hunter2@llm.example/v1","max_output_tokens":2176}})");
  store.put_result(run, ctx, ok_result(kDefaultKey, 10.0, kT0 + 1));
  store.put_result(run, ctx, ok_result("VEC=4,ACC=1,ROWS=1,THREADS=1", 4.0, kT0 + 2));
  LlmExchange e0;
  e0.run_id = run;
  e0.provider = "openai";
  e0.model = "gpt-test";
  e0.prompt_json = R"({"messages":[]})";
  e0.response_text = std::string("Sure! ") + kScript +
                     R"( {"configs":[{"VEC":8,"ACC":2},{"VEC":16,"ACC":2,"ROWS":2}]})";
  e0.input_tokens = 1500;
  e0.output_tokens = 200;
  e0.latency_s = 3.5;
  e0.created_at = kT0 + 5;
  store.put_llm_exchange(e0);
  store.put_result(run, ctx, ok_result("VEC=8,ACC=2,ROWS=1,THREADS=1", 1.0, kT0 + 6));
  store.put_result(run, ctx,
                   failed_result("VEC=16,ACC=2,ROWS=2,THREADS=1", Status::CompileError, "compiler",
                                 std::string("error: ") + kScript + " see http://evil.example",
                                 kT0 + 7));
  LlmExchange e1 = e0;
  e1.response_text = R"({"configs":[{"VEC":8,"ACC":4}]})";
  e1.latency_s = 2;
  e1.created_at = kT0 + 12;
  store.put_llm_exchange(e1);
  store.put_result(run, ctx, ok_result("VEC=8,ACC=4,ROWS=1,THREADS=1", 0.5, kT0 + 13));
  store.end_run(run, "completed");
  return run;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
    ++n;
  return n;
}

// Every <svg>…</svg> block: open and close tags balance, and no attribute holds nan or inf.
void expect_svg_well_formed(const std::string& html) {
  std::size_t blocks = 0;
  for (std::size_t begin = html.find("<svg"); begin != std::string::npos;
       begin = html.find("<svg", begin + 1)) {
    std::size_t end = html.find("</svg>", begin);
    ASSERT_NE(end, std::string::npos) << "an <svg> is never closed";
    std::string svg = html.substr(begin, end + 6 - begin);
    std::vector<std::string> stack;
    std::regex tag(R"(<(/?)([a-zA-Z]+)([^>]*?)(/?)>)");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator();
         ++it) {
      const std::smatch& m = *it;
      if (m[4] == "/") continue;  // self-closing
      if (m[1] == "/") {
        ASSERT_FALSE(stack.empty()) << "closing </" << m[2] << "> without an opening tag";
        EXPECT_EQ(stack.back(), m[2].str());
        stack.pop_back();
      } else {
        stack.push_back(m[2]);
      }
      std::string attrs = m[3];
      std::transform(attrs.begin(), attrs.end(), attrs.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      EXPECT_EQ(attrs.find("nan"), std::string::npos) << m.str();
      EXPECT_EQ(attrs.find("inf"), std::string::npos) << m.str();
    }
    EXPECT_TRUE(stack.empty()) << "unclosed tags in an <svg>";
    ++blocks;
  }
  EXPECT_GE(blocks, 3u);  // two convergence plots and the histogram
}

TEST(HtmlReport, HasEverySectionAndComparesTheBestWithTheDefault) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  std::int64_t run = fill_llm_run(store, context_of(spec));
  std::string html = render_html_report(load_run_report(store, run, &spec));
  for (const char* id : {"summary", "best", "convergence", "distribution", "top", "failures", "llm"})
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(html.find("20.00×"), std::string::npos);  // 10 ms / 0.5 ms
  EXPECT_NE(html.find("VEC=8, ACC=4"), std::string::npos);
  EXPECT_NE(html.find("GB/s"), std::string::npos);  // the spec has metrics
  EXPECT_NE(html.find("registers"), std::string::npos);
  EXPECT_NE(html.find("compile_error"), std::string::npos);
  EXPECT_NE(html.find("1 compile_error"), std::string::npos);
  EXPECT_NE(html.find("Round 1"), std::string::npos);
}

TEST(HtmlReport, EscapesEveryUntrustedString) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  std::int64_t run = fill_llm_run(store, context_of(spec));
  std::string html = render_html_report(load_run_report(store, run, &spec));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // Once in the failure's message, once in the reply.
  EXPECT_GE(count(html, kEscapedScript), 2u);
  EXPECT_EQ(html.find("sk-secret-123"), std::string::npos);
  EXPECT_EQ(html.find("hunter2"), std::string::npos);
  EXPECT_NE(html.find("max_output_tokens"), std::string::npos);  // counts are kept
  // Nothing is loaded from the network: URLs only as escaped text, never in an attribute.
  EXPECT_EQ(html.find("=\"http"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  // As text: the failure's message and the stored base URL (without its credentials).
  std::size_t text_urls = count(html, "http://evil.example") + count(html, "https://llm.example");
  EXPECT_EQ(count(html, "http://") + count(html, "https://"), text_urls);
  expect_svg_well_formed(html);
}

TEST(HtmlReport, RoundsAreRebuiltFromTheExchangesAndTheReplies) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  std::int64_t run = fill_llm_run(store, context_of(spec));
  report::RunReport data = load_run_report(store, run, &spec);
  ASSERT_EQ(data.rounds.size(), 2u);
  EXPECT_EQ(data.seeds.size(), 2u);  // the default and one seed, before the first reply
  const report::LlmRound& r0 = data.rounds[0];
  EXPECT_TRUE(r0.parsed);
  ASSERT_EQ(r0.proposed.size(), 2u);
  EXPECT_EQ(r0.proposed[0], "VEC=8,ACC=2,ROWS=1,THREADS=1");
  ASSERT_EQ(r0.measured.size(), 2u);
  EXPECT_EQ(data.results[r0.measured[1]].status, Status::CompileError);
  ASSERT_EQ(data.rounds[1].measured.size(), 1u);
  EXPECT_EQ(data.results[data.rounds[1].measured[0]].median_ms, 0.5);
  EXPECT_EQ(data.rounds[1].exchange.input_tokens, 1500);
}

TEST(HtmlReport, WithoutASpecRoundsFollowTheExchangeTimes) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  std::int64_t run = fill_llm_run(store, context_of(spec));
  report::RunReport data = load_run_report(store, run, nullptr);
  EXPECT_TRUE(data.default_key.empty());
  ASSERT_EQ(data.rounds.size(), 2u);
  EXPECT_FALSE(data.rounds[0].parsed);
  // Round 0's window: from its reply (t0+5) to the next request (t0+12 - 2 s).
  EXPECT_EQ(data.rounds[0].measured.size(), 2u);
  EXPECT_EQ(data.rounds[1].measured.size(), 1u);
  std::string html = render_html_report(data);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Pass the spec"), std::string::npos);
}

TEST(HtmlReport, ConfigValuesFromTheStoreAreEscaped) {
  TempDb db;
  Store store(db.path());
  StoreContext ctx{"k<i>", "hash", "N=1", "dev", "Dev <b>", "host"};
  std::int64_t run = store.begin_run(ctx, "random", "{}");
  store.put_result(run, ctx, ok_result(std::string("MODE=") + kScript, 1.0, kT0 + 1));
  store.put_result(run, ctx, ok_result("MODE=\"quoted\"&amp", 2.0, kT0 + 2));
  store.end_run(run, "completed");
  std::string html = render_html_report(load_run_report(store, run, nullptr));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("Dev <b>"), std::string::npos);
  EXPECT_NE(html.find(kEscapedScript), std::string::npos);
  EXPECT_NE(html.find("MODE=&quot;quoted&quot;&amp;amp"), std::string::npos);
  EXPECT_EQ(html.find("id=\"llm\""), std::string::npos);  // no LLM calls, no LLM section
  expect_svg_well_formed(html);
}

TEST(HtmlReport, UnknownRunsAndRunsWithoutResultsAreUserErrors) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  StoreContext ctx = context_of(spec);
  EXPECT_THROW(load_run_report(store, 42, nullptr), UserError);
  EXPECT_THROW(report::latest_run_of(store, spec), UserError);
  std::int64_t empty = store.begin_run(ctx, "random", "{}");
  store.end_run(empty, "interrupted");
  try {
    load_run_report(store, empty, nullptr);
    FAIL() << "a run without results was reported";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("no results"), std::string::npos) << e.what();
  }
  std::int64_t full = fill_llm_run(store, ctx);
  EXPECT_EQ(report::latest_run_of(store, spec), full);
  KernelSpec other = spec;
  other.name = "another";
  EXPECT_THROW(load_run_report(store, full, &other), UserError);
}

TEST(HtmlReport, TheTopTableNamesDevicesOnlyWhenTheRunUsedSeveral) {
  TempDb db;
  Store store(db.path());
  StoreContext ctx{"k", "hash", "N=1", "dev", "Dev", "cuda"};
  auto measured_on = [](const std::string& key, double ms, const std::string& device) {
    Result r = ok_result(key, ms, kT0 + ms);
    r.device = device;
    return r;
  };
  std::int64_t one = store.begin_run(ctx, "random", "{}");
  store.put_result(one, ctx, measured_on("MODE=a", 1.0, "cuda:0"));
  store.put_result(one, ctx, measured_on("MODE=b", 2.0, "cuda:0"));
  store.end_run(one, "completed");
  std::string single = render_html_report(load_run_report(store, one, nullptr));
  EXPECT_EQ(single.find("<th>device</th>"), std::string::npos);
  EXPECT_EQ(single.find(">cuda:0<"), std::string::npos);

  std::int64_t two = store.begin_run(ctx, "random", "{}");
  store.put_result(two, ctx, measured_on("MODE=c", 3.0, "r0@node1/cuda:0"));
  store.put_result(two, ctx, measured_on("MODE=d", 4.0, "r1@<b>node2</b>/cuda:1"));
  store.end_run(two, "completed");
  std::string several = render_html_report(load_run_report(store, two, nullptr));
  EXPECT_EQ(count(several, "<th>device</th>"), 1u);
  EXPECT_NE(several.find(">r0@node1/cuda:0<"), std::string::npos);
  // Device names come from other hosts: escaped like everything else from the store.
  EXPECT_NE(several.find(">r1@&lt;b&gt;node2&lt;/b&gt;/cuda:1<"), std::string::npos);
  EXPECT_EQ(several.find("<b>node2"), std::string::npos);
}

// A surrogate run with three priors whose findings were stored when it ended.
std::int64_t fill_prior_run(Store& store, const StoreContext& ctx) {
  std::int64_t run = store.begin_run(
      ctx, "surrogate",
      R"j({"max_evals":40,"priors":["store: A100 (cuda), problem N=1 (120 configs)",)j"
      R"j("b<script>.json (GPU B)","c.json (GPU C)","d.json (GPU D)"]})j");
  store.put_result(run, ctx, ok_result(kDefaultKey, 10.0, kT0 + 1));
  store.put_result(run, ctx, ok_result("VEC=4,ACC=1,ROWS=1,THREADS=1", 4.0, kT0 + 2));
  store.end_run(run, "completed",
                R"j({"priors":[)j"
                R"j({"label":"store: A100 (cuda), problem N=1 (120 configs)","configs":120,)j"
                R"j("from_store":true,"compared":37,"spearman":0.8213},)j"
                R"j({"label":"b<script>.json (GPU B)","configs":12,"from_store":false,)j"
                R"j("compared":2,"spearman":null},)j"
                R"j({"label":"c.json (GPU C)","configs":50,"from_store":false,"compared":20,)j"
                R"j("spearman":0.5},)j"
                R"j({"label":"d.json (GPU D)","configs":60,"from_store":false,"compared":10,)j"
                R"j("spearman":-0.1}]})j");
  return run;
}

// The priors section alone, so that other sections' text cannot satisfy an expectation.
std::string priors_part(const std::string& html) {
  std::size_t begin = html.find("<section id=\"priors\"");
  if (begin == std::string::npos) return {};
  return html.substr(begin, html.find("</section>", begin) - begin);
}

TEST(HtmlReport, ThePriorsPartSaysWhereEachPriorCameFromAndHowWellItPredicted) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  std::int64_t run = fill_prior_run(store, context_of(spec));
  report::RunReport data = load_run_report(store, run, nullptr);
  ASSERT_EQ(data.priors.size(), 4u);
  EXPECT_TRUE(data.priors[0].recorded);
  EXPECT_TRUE(data.priors[0].from_store);
  EXPECT_EQ(data.priors[0].configs, 120u);
  EXPECT_EQ(data.priors[0].compared, 37u);
  EXPECT_DOUBLE_EQ(data.priors[0].spearman.value_or(0), 0.8213);
  EXPECT_FALSE(data.priors[1].spearman);

  std::string html = render_html_report(data);
  std::string part = priors_part(html);
  ASSERT_FALSE(part.empty()) << html;
  EXPECT_NE(part.find("<h2>Priors</h2>"), std::string::npos);
  EXPECT_NE(part.find("store: A100 (cuda), problem N=1 (120 configs)"), std::string::npos);
  EXPECT_NE(part.find("<td class=\"msg nowrap\">the store</td><td>120</td>"), std::string::npos);
  EXPECT_NE(part.find("<b>Spearman 0.82</b> over 37 configs both ran correctly: "
                      "<span class=\"ok\">predicted the ranking well</span>"),
            std::string::npos)
      << part;
  // 37 configs: chance reaches 1.645 / 6 = 0.27, so the floor of 0.3 is the bar.
  EXPECT_NE(part.find("Meets the surrogate's trust rule (Spearman at least 0.30 over 37 configs)"),
            std::string::npos);
  // The label from a file is escaped like everything else from the store.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(part.find("b&lt;script&gt;.json (GPU B)"), std::string::npos);
  EXPECT_NE(part.find("<td class=\"msg nowrap\">a --prior file</td><td>12</td>"),
            std::string::npos);
  EXPECT_NE(part.find("Too few configs both ran correctly to compare (2)."), std::string::npos);
  // 20 configs: chance reaches 1.645 / sqrt(19) = 0.38.
  EXPECT_NE(part.find("<b>Spearman 0.50</b> over 20 configs both ran correctly: predicted the "
                      "ranking partly."),
            std::string::npos);
  EXPECT_NE(part.find("Meets the surrogate's trust rule (Spearman at least 0.38 over 20"),
            std::string::npos);
  // 10 configs: chance reaches 1.645 / 3 = 0.55.
  EXPECT_NE(part.find("<b>Spearman -0.10</b> over 10 configs both ran correctly: <span "
                      "class=\"bad\">did not predict this run's ranking</span>"),
            std::string::npos);
  EXPECT_NE(part.find("Falls short of the surrogate's trust rule (Spearman at least 0.55 over 10"),
            std::string::npos);
  EXPECT_EQ(part.find("not recorded"), std::string::npos);
}

TEST(HtmlReport, ARunWithoutPriorsHasNoPriorsPart) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  StoreContext ctx = context_of(spec);
  std::int64_t run = store.begin_run(ctx, "random", R"({"max_evals":5,"priors":[]})");
  store.put_result(run, ctx, ok_result(kDefaultKey, 10.0, kT0 + 1));
  store.end_run(run, "completed", R"({"priors":[]})");
  std::string html = render_html_report(load_run_report(store, run, &spec));
  EXPECT_EQ(html.find("id=\"priors\""), std::string::npos);
  EXPECT_EQ(html.find("<h2>Priors</h2>"), std::string::npos);
  // Nor a run whose options say nothing of priors (fill_llm_run's).
  std::int64_t llm = fill_llm_run(store, ctx);
  EXPECT_EQ(render_html_report(load_run_report(store, llm, &spec)).find("id=\"priors\""),
            std::string::npos);
}

TEST(HtmlReport, ARunStoredByAnOlderTunaShowsItsPriorsWithoutTheirAgreement) {
  TempDb db;
  Store store(db.path());
  KernelSpec spec = rowsum_spec();
  StoreContext ctx = context_of(spec);
  // As a tuna before schema 3 left it: the labels in the options, no findings.
  std::int64_t old = store.begin_run(
      ctx, "surrogate", R"j({"priors":["store: A100 (cuda), problem N=1 (<b>120</b> configs)"]})j");
  store.put_result(old, ctx, ok_result(kDefaultKey, 10.0, kT0 + 1));
  store.end_run(old, "completed");
  report::RunReport data = load_run_report(store, old, &spec);
  ASSERT_EQ(data.priors.size(), 1u);
  EXPECT_FALSE(data.priors[0].recorded);
  std::string part = priors_part(render_html_report(data));
  ASSERT_FALSE(part.empty());
  EXPECT_NE(part.find("store: A100 (cuda), problem N=1 (&lt;b&gt;120&lt;/b&gt; configs)"),
            std::string::npos);
  EXPECT_NE(part.find("agreement not recorded (run stored by an older tuna)"), std::string::npos);
  EXPECT_EQ(part.find("Spearman "), std::string::npos);

  // A run that never ended (killed) has no findings either, and says why.
  std::int64_t killed = store.begin_run(ctx, "surrogate", R"({"priors":["a.json"]})");
  store.put_result(killed, ctx, ok_result("VEC=4,ACC=1,ROWS=1,THREADS=1", 4.0, kT0 + 5));
  EXPECT_NE(priors_part(render_html_report(load_run_report(store, killed, &spec)))
                .find("agreement not recorded (the run never ended"),
            std::string::npos);
}

TEST(HtmlReport, PriorFindingsOfAnUnexpectedShapeNeverStopTheReport) {
  RunRecord run;
  run.outcome = "completed";
  run.options_json = R"({"priors":["ignored: findings win"]})";
  run.findings_json =
      R"({"priors":[{"label":5},"text",{"label":"x","configs":"many","from_store":"yes",)"
      R"("compared":-3,"spearman":"high"},{"label":"y","configs":1e300,"compared":2,)"
      R"("spearman":0.9}]})";
  std::vector<report::ReportPrior> priors = report::run_priors(run);
  ASSERT_EQ(priors.size(), 2u);
  EXPECT_EQ(priors[0].label, "x");
  EXPECT_TRUE(priors[0].recorded);
  EXPECT_FALSE(priors[0].from_store);
  EXPECT_EQ(priors[0].configs, 0u);
  EXPECT_EQ(priors[0].compared, 0u);
  EXPECT_FALSE(priors[0].spearman);
  EXPECT_EQ(priors[1].configs, 0u);
  EXPECT_FALSE(priors[1].spearman);  // fewer than 3 compared: no coefficient to speak of
  // Findings without a list of priors: the labels logged at the start.
  run.findings_json = "{}";
  priors = report::run_priors(run);
  ASSERT_EQ(priors.size(), 1u);
  EXPECT_FALSE(priors[0].recorded);
  run.options_json = "not json";
  EXPECT_TRUE(report::run_priors(run).empty());
}

TEST(SvgPlot, LogAxesAndEmptyPlotsStayFinite) {
  std::string plot = report::svg_xy_plot(
      {"t", "x (s)", "y (ms)", true, 400, 300},
      {{"a", report::SeriesStyle::Dots, "#000", {{0, 0.001}, {1, 1000}, {2, NAN}}},
       {"b", report::SeriesStyle::Crosses, "#f00", {{1.5, NAN}}},
       {"c", report::SeriesStyle::Steps, "#0f0", {{0, 0.001}}}});
  EXPECT_NE(plot.find("y (ms)"), std::string::npos);
  EXPECT_NE(plot.find(">1000<"), std::string::npos);  // a decade tick
  std::string empty = report::svg_xy_plot({"t", "x", "y", false, 400, 300}, {});
  EXPECT_NE(empty.find("no correct measurement"), std::string::npos);
  std::string single = report::svg_histogram({"h", "ms", 400, 300, 10}, {2.0});
  std::string all = plot + empty + single;
  expect_svg_well_formed(all);
}

}  // namespace
}  // namespace tuna
