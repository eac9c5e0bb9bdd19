// The report's LLM section: one block per round with what the model proposed, what was
// measured for it, and the call's tokens and latency. The reply is shown only escaped.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/console.hpp"
#include "report/html_report_parts.hpp"
#include "report/svg_plot.hpp"

namespace tuna::report::html {
namespace {

constexpr std::size_t kReplyExcerptBytes = 6000;

std::string round_totals(const RunReport& report) {
  std::int64_t in = 0, out = 0;
  double latency = 0;
  int failed = 0;
  for (const LlmRound& r : report.rounds) {
    in += r.exchange.input_tokens;
    out += r.exchange.output_tokens;
    latency += r.exchange.latency_s;
    failed += !r.exchange.error.empty();
  }
  const LlmExchange& first = report.rounds.front().exchange;
  return fmt::format(
      "<p>{} LLM call(s) to <b>{}</b> (model <b>{}</b>), {} failed; tokens {} in + {} out = {}; "
      "{:.1f} s waiting for replies in all.</p>\n",
      report.rounds.size(), escape_xml(first.provider), escape_xml(first.model), failed, in, out,
      in + out, latency);
}

std::string seeds_block(const RunReport& report) {
  if (report.seeds.empty()) return {};
  std::string html = fmt::format(
      "<p>Before the first reply: {} seed config(s) (the default and random ones) measured "
      "while the first request was in flight.</p>\n",
      report.seeds.size());
  return html;
}

std::string measured_table(const RunReport& report, const LlmRound& round) {
  if (round.measured.empty()) return "<p class=\"muted\">Nothing measured for this round.</p>\n";
  std::string html =
      "<table class=\"data\"><tr><th>config</th><th>status</th><th>median</th></tr>\n";
  for (std::size_t i : round.measured) {
    const Result& r = report.results[i];
    html += fmt::format("<tr><td class=\"cfg\">{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
                        config_cell(report, r.key), r.ok() ? "ok" : "bad",
                        escape_xml(status_name(r.status)), time_cell(r));
  }
  return html + "</table>\n";
}

std::string proposed_list(const RunReport& report, const LlmRound& round) {
  if (!round.parsed) {
    return "<p class=\"muted\">Proposals not parsed (pass the spec to `tuna report` to read "
           "them); the measured configs below are those that started between this reply and "
           "the next request.</p>\n";
  }
  if (round.proposed.empty()) return "<p>The reply held no usable config.</p>\n";
  std::string html = fmt::format("<p>{} config(s) proposed:</p><ol class=\"proposed\">\n",
                                 round.proposed.size());
  for (const std::string& key : round.proposed) {
    html += fmt::format("<li class=\"cfg\">{}</li>\n", config_cell(report, key));
  }
  return html + "</ol>\n";
}

std::string best_of_round(const RunReport& report, const LlmRound& round) {
  const Result* best = nullptr;
  for (std::size_t i : round.measured) {
    const Result& r = report.results[i];
    if (r.ok() && (!best || r.median_ms < best->median_ms)) best = &r;
  }
  if (!best) return {};
  return fmt::format("<p>Best of this round: <b>{}</b> ({})</p>\n", format_ms(best->median_ms),
                     config_cell(report, best->key));
}

std::string round_block(const RunReport& report, const LlmRound& round) {
  const LlmExchange& e = round.exchange;
  std::size_t ok = 0;
  for (std::size_t i : round.measured) ok += report.results[i].ok();
  std::string html = fmt::format(
      "<div class=\"round\"><h3>Round {}</h3>\n<p class=\"facts\">tokens {} in + {} out · "
      "latency {:.2f} s · prompt {} characters · {} measured, {} ok · {}</p>\n",
      round.index, e.input_tokens, e.output_tokens, e.latency_s, e.prompt_json.size(),
      round.measured.size(), ok, escape_xml(utc_time(e.created_at)));
  if (!e.error.empty()) {
    html += fmt::format("<p class=\"bad\">The call failed: {}</p>\n", escaped_excerpt(e.error, 600));
  }
  html += proposed_list(report, round);
  html += measured_table(report, round);
  html += best_of_round(report, round);
  if (!e.response_text.empty()) {
    html += fmt::format("<details><summary>The model's reply ({} characters)</summary>"
                        "<pre class=\"reply\">{}</pre></details>\n",
                        e.response_text.size(), escaped_excerpt(e.response_text, kReplyExcerptBytes));
  }
  return html + "</div>\n";
}

}  // namespace

std::string llm_section(const RunReport& report) {
  if (report.rounds.empty()) return {};
  std::string html = "<section id=\"llm\"><h2>LLM rounds</h2>\n";
  html += round_totals(report);
  html += seeds_block(report);
  for (const LlmRound& round : report.rounds) html += round_block(report, round);
  return html + "</section>\n";
}

}  // namespace tuna::report::html
