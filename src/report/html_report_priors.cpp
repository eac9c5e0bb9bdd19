// The report's priors section: each prior the run's search was given (docs/priors.md), where it
// came from, and how well it ranked what this run measured, in numbers and in words.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/html_report_parts.hpp"
#include "report/svg_plot.hpp"
#include "search/surrogate_prior.hpp"

namespace tuna::report::html {
namespace {

// The surrogate's trust rule (SurrogatePriorOptions::agreement_needed, docs/priors.md) over at
// least judge_after configs. The report applies
// it to the whole run's figures; the search applied it at each refit to what it had so far.
std::string trust_text(const ReportPrior& p) {
  const search::SurrogatePriorOptions rule;
  if (p.compared < rule.judge_after)
    return fmt::format("Too few configs in common for the surrogate's trust rule (it needs {}).",
                       rule.judge_after);
  const double needed = rule.agreement_needed(p.compared, rule.chance_z);
  return fmt::format("{} the surrogate's trust rule (Spearman at least {:.2f} over {} configs).",
                     p.spearman && *p.spearman >= needed ? "Meets" : "Falls short of", needed,
                     p.compared);
}

// Spearman's coefficient in plain words; the thresholds are the rule's floor (0.3) and a level
// at which the ranking mostly holds.
std::string reading(double spearman) {
  if (spearman >= 0.7) return "<span class=\"ok\">predicted the ranking well</span>";
  if (spearman >= 0.3) return "predicted the ranking partly";
  return "<span class=\"bad\">did not predict this run's ranking</span>";
}

// Why a prior's agreement is missing: the run never wrote its findings.
std::string not_recorded(const RunRecord& run) {
  if (run.outcome == "running")
    return "agreement not recorded (the run never ended: still running, or killed)";
  if (run.outcome.rfind("failed", 0) == 0) return "agreement not recorded (the run failed)";
  return "agreement not recorded (run stored by an older tuna)";
}

std::string prior_row(const RunReport& report, const ReportPrior& p) {
  std::string cells = fmt::format("<tr><td class=\"msg\">{}</td>", escape_xml(p.label));
  if (!p.recorded) {
    return cells + fmt::format("<td>-</td><td>-</td><td class=\"msg muted\">{}</td></tr>\n",
                               escape_xml(not_recorded(report.run)));
  }
  cells += fmt::format("<td class=\"msg nowrap\">{}</td><td>{}</td>",
                       p.from_store ? "the store" : "a --prior file", p.configs);
  std::string verdict;
  if (!p.spearman) {
    verdict = fmt::format("Too few configs both ran correctly to compare ({}).", p.compared);
  } else {
    verdict = fmt::format(
        "<b>Spearman {:.2f}</b> over {} configs both ran correctly: {}.<br>"
        "<span class=\"muted\">{}</span>",
        *p.spearman, p.compared, reading(*p.spearman), trust_text(p));
  }
  return cells + fmt::format("<td class=\"msg\">{}</td></tr>\n", verdict);
}

}  // namespace

std::string priors_section(const RunReport& report) {
  if (report.priors.empty()) return {};
  std::string html = "<section id=\"priors\"><h2>Priors</h2>\n";
  html +=
      "<p>What the search was given as measured elsewhere (another device, problem or spec "
      "version), and how well each ranked this run's configs: Spearman's rank correlation "
      "between its times and this run's over the configs both ran correctly (1: the same "
      "order, 0: unrelated, negative: reversed).</p>\n";
  html +=
      "<table class=\"data\"><tr><th>prior</th><th>from</th><th>configs valid here</th>"
      "<th>how well it predicted this run</th></tr>\n";
  for (const ReportPrior& p : report.priors) html += prior_row(report, p);
  html +=
      "</table>\n<p class=\"muted\">The surrogate search (<code>auto</code> without an LLM, "
      "<code>surrogate</code>, <code>hybrid</code>) lets a prior shape its model only while "
      "the prior meets its trust rule, judged again at each refit on what was measured so "
      "far; the verdict above applies the rule to the whole run. The other model-free "
      "strategies measure the priors' 3 fastest configs first, whatever they predict "
      "(<code>exhaustive</code> ignores priors); the LLM strategies show the model their "
      "fastest configs as hints in the first prompt.</p></section>\n";
  return html;
}

}  // namespace tuna::report::html
