// The HTML report's page and its sections other than the LLM rounds (html_report_llm.cpp).
#include "report/html_report.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "report/console.hpp"
#include "report/html_report_parts.hpp"
#include "report/svg_plot.hpp"

namespace tuna::report {
namespace html {

std::string utc_time(double seconds) {
  if (seconds <= 0 || !std::isfinite(seconds)) return "-";
  std::chrono::sys_seconds t{std::chrono::seconds(static_cast<std::int64_t>(seconds))};
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", t);
}

std::string config_cell(const RunReport& report, const std::string& key) {
  if (report.default_key.empty()) return escape_xml(key);
  if (key == report.default_key) return "<i>default</i>";
  std::string text;
  for (const auto& [name, value] : key_diff(key, report.default_key)) {
    text += fmt::format("{}{}={}", text.empty() ? "" : ", ", name, value);
  }
  return fmt::format("<span title=\"{}\">{}</span>", escape_xml(key), escape_xml(text));
}

std::string escaped_excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return escape_xml(text);
  return escape_xml(text.substr(0, max_bytes)) +
         fmt::format("\n… ({} more characters not shown)", text.size() - max_bytes);
}

std::string time_cell(const Result& r) { return r.ok() ? format_ms(r.median_ms) : "-"; }

}  // namespace html

namespace {

using html::config_cell;
using html::escaped_excerpt;
using html::time_cell;
using html::utc_time;

constexpr std::size_t kTopConfigs = 20;
constexpr std::size_t kFailureExamples = 3;
constexpr const char* kOkColor = "#4e79a7";
constexpr const char* kFailColor = "#e15759";
constexpr const char* kBestColor = "#f28e2b";

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 15px;
       color: #222; margin: 24px auto; max-width: 1180px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; border-bottom: 2px solid #ddd;
     padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 16px; margin: 12px 0 4px; }
table { border-collapse: collapse; margin: 8px 0; }
table.facts td { padding: 3px 14px 3px 0; vertical-align: top; }
table.facts td:first-child { color: #555; white-space: nowrap; }
table.data th, table.data td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
table.data th { background: #f3f3f3; } table.data td.cfg, table.data td.msg { text-align: left; }
td.cfg, li.cfg, code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 13px; }
.ok { color: #1a7f37; } .bad { color: #b42318; } .muted { color: #666; }
.nowrap { white-space: nowrap; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; } svg.plot { border: 1px solid #ddd; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; white-space: pre-wrap;
      font-size: 12px; max-height: 420px; }
.round { border-left: 4px solid #4e79a7; padding-left: 12px; margin: 16px 0; }
.facts { color: #444; } .big { font-size: 22px; font-weight: bold; }
)css";

std::string row(const std::string& name, const std::string& escaped_value) {
  return fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", escape_xml(name), escaped_value);
}

const Result* best_result(const RunReport& report) {
  const Result* best = nullptr;
  for (const Result& r : report.results) {
    if (r.ok() && (!best || r.median_ms < best->median_ms)) best = &r;
  }
  return best;
}

std::string status_counts(const RunReport& report) {
  std::map<std::string, std::size_t> counts;
  for (const Result& r : report.results) ++counts[status_name(r.status)];
  std::string text;
  for (const auto& [status, n] : counts) {
    text += fmt::format("{}<span class=\"{}\">{} {}</span>", text.empty() ? "" : ", ",
                        status == "ok" ? "ok" : "bad", n, escape_xml(status));
  }
  return text;
}

std::string summary_section(const RunReport& report) {
  const RunRecord& run = report.run;
  const StoreContext& ctx = report.context;
  std::string elapsed = run.finished_at > 0
                            ? fmt::format("{:.1f} s", run.finished_at - run.started_at)
                            : "not finished (still running, or killed)";
  std::string html = "<section id=\"summary\"><h2>Summary</h2><table class=\"facts\">\n";
  html += row("kernel", escape_xml(ctx.kernel_name));
  if (!report.spec_description.empty())
    html += row("description", escaped_excerpt(report.spec_description, 2000));
  html += row("device", fmt::format("{} <span class=\"muted\">({}, id {})</span>",
                                    escape_xml(ctx.device_name), escape_xml(ctx.backend),
                                    escape_xml(ctx.device_id)));
  html += row("problem", escape_xml(ctx.problem.empty() ? "-" : ctx.problem));
  html += row("run", fmt::format("{}, strategy <b>{}</b>", run.id, escape_xml(run.strategy)));
  html += row("started", escape_xml(utc_time(run.started_at)));
  html += row("finished", escape_xml(utc_time(run.finished_at)));
  html += row("elapsed", escape_xml(elapsed));
  html += row("outcome", escape_xml(run.outcome));
  html += row("results of this run", fmt::format("{}: {}", report.results.size(), status_counts(report)));
  html += row("options", fmt::format("<pre>{}</pre>", escape_xml(sanitized_options(run.options_json))));
  html += "</table>\n<p class=\"muted\">Results this run reused from earlier runs are not part of "
          "it; a config re-measured by a later run belongs to that run.</p></section>\n";
  return html;
}

std::string throughput_text(const RunReport& report, const std::string& key) {
  auto it = report.throughput.find(key);
  if (it == report.throughput.end()) return {};
  std::string text;
  if (it->second.gflops) text += fmt::format("{:.4g} GFLOP/s", *it->second.gflops);
  if (it->second.gbps) text += fmt::format("{}{:.4g} GB/s", text.empty() ? "" : ", ", *it->second.gbps);
  return text;
}

std::string best_section(const RunReport& report) {
  std::string html = "<section id=\"best\"><h2>Best config against the default</h2>\n";
  const Result* best = best_result(report);
  if (!best) return html + "<p class=\"bad\">No config of this run ran correctly.</p></section>\n";
  const std::optional<Result>& def = report.default_result;
  html += "<table class=\"data\"><tr><th></th><th>median</th><th>spread</th><th>throughput</th>"
          "<th>speedup</th></tr>\n";
  html += fmt::format("<tr><td class=\"cfg\">best</td><td class=\"big\">{}</td><td>{:.1f}%</td>"
                      "<td>{}</td><td>{}</td></tr>\n",
                      format_ms(best->median_ms), best->spread() * 100,
                      throughput_text(report, best->key),
                      def && def->ok() ? fmt::format("<b>{:.2f}×</b>", def->median_ms / best->median_ms) : "-");
  if (def) {
    html += fmt::format("<tr><td class=\"cfg\">default</td><td>{}</td><td>{}</td><td>{}</td>"
                        "<td>1×</td></tr>\n",
                        def->ok() ? format_ms(def->median_ms) : escape_xml(status_name(def->status)),
                        def->ok() ? fmt::format("{:.1f}%", def->spread() * 100) : "-",
                        throughput_text(report, def->key));
  }
  html += "</table>\n";
  if (report.default_key.empty()) {
    html += fmt::format("<p>Best config: <code>{}</code>. Pass the spec (<code>tuna report SPEC "
                        "--run {}</code>) to compare it with the default.</p>\n",
                        escape_xml(best->key), report.run.id);
  } else if (best->key == report.default_key) {
    html += "<p>The default config is the best one measured.</p>\n";
  } else {
    html += "<p>Parameters that differ from the default:</p><table class=\"data\"><tr>"
            "<th>parameter</th><th>default</th><th>best</th></tr>\n";
    auto defaults = key_diff(report.default_key, best->key);
    for (const auto& [name, value] : key_diff(best->key, report.default_key)) {
      auto d = std::find_if(defaults.begin(), defaults.end(),
                            [&](const auto& x) { return x.first == name; });
      html += fmt::format("<tr><td class=\"cfg\">{}</td><td class=\"cfg\">{}</td>"
                          "<td class=\"cfg\"><b>{}</b></td></tr>\n",
                          escape_xml(name), d == defaults.end() ? "" : escape_xml(d->second),
                          escape_xml(value));
    }
    html += fmt::format("</table><p>Full key: <code>{}</code></p>\n", escape_xml(best->key));
  }
  if (!def && !report.default_key.empty())
    html += "<p class=\"muted\">The default config has no stored result.</p>\n";
  return html + "</section>\n";
}

bool wide_range(const std::vector<double>& values) {
  double lo = INFINITY, hi = 0;
  for (double v : values) {
    if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  return hi > 0 && hi / lo > 20;
}

// Measured points, failed points and the best-so-far staircase, against `x_of(result, index)`.
template <typename XOf>
std::vector<PlotSeries> convergence_series(const RunReport& report, XOf x_of) {
  PlotSeries ok{"measured config", SeriesStyle::Dots, kOkColor, {}};
  PlotSeries failed{"failed (on the top edge)", SeriesStyle::Crosses, kFailColor, {}};
  PlotSeries best{"best so far", SeriesStyle::Steps, kBestColor, {}};
  std::vector<std::pair<double, const Result*>> order;
  for (std::size_t i = 0; i < report.results.size(); ++i)
    order.emplace_back(x_of(report.results[i], i), &report.results[i]);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  double best_ms = INFINITY;
  for (const auto& [x, r] : order) {
    if (!r->ok() || !std::isfinite(r->median_ms)) {
      failed.points.push_back({x, NAN});
      continue;
    }
    ok.points.push_back({x, r->median_ms});
    if (r->median_ms < best_ms) {
      best_ms = r->median_ms;
      best.points.push_back({x, best_ms});
    }
  }
  return {ok, failed, best};
}

std::string convergence_section(const RunReport& report) {
  std::vector<double> times;
  for (const Result& r : report.results) {
    if (r.ok()) times.push_back(r.median_ms);
  }
  bool log_y = wide_range(times);
  std::string y_label = log_y ? "median time (ms, log scale)" : "median time (ms)";
  double t0 = report.run.started_at;
  auto by_eval = convergence_series(report, [](const Result&, std::size_t i) { return i + 1.0; });
  auto by_time = convergence_series(report, [t0](const Result& r, std::size_t) {
    double t = r.finished_at > 0 ? r.finished_at : r.started_at;
    return t > 0 && t0 > 0 ? t - t0 : NAN;
  });
  std::string html = "<section id=\"convergence\"><h2>Convergence</h2><div class=\"plots\">\n";
  html += svg_xy_plot({"Best so far against evaluations", "evaluation (in start order)", y_label,
                       log_y, 560, 340},
                      by_eval);
  html += svg_xy_plot({"Best so far against wall time", "wall time since the run started (s)",
                       y_label, log_y, 560, 340},
                      by_time);
  html += "</div><p class=\"muted\">A re-timed config (re-timing of the best, final shootout) "
          "appears at its latest timing.</p></section>\n";
  return html;
}

std::string distribution_section(const RunReport& report) {
  std::vector<double> times;
  for (const Result& r : report.results) {
    if (r.ok()) times.push_back(r.median_ms);
  }
  std::string html = "<section id=\"distribution\"><h2>Distribution of measured times</h2>\n";
  html += svg_histogram({fmt::format("Median times of {} correct configs", times.size()),
                         "median time (ms)", 1000, 300, 40},
                        times);
  return html + "</section>\n";
}

// A device column earns its width only when the run spread its configs over several devices
// (several cards of a host, MPI ranks); results that name no device do not count.
bool several_devices(const RunReport& report) {
  std::set<std::string> devices;
  for (const Result& r : report.results)
    if (!r.device.empty()) devices.insert(r.device);
  return devices.size() > 1;
}

std::string top_section(const RunReport& report) {
  std::vector<const Result*> ok;
  for (const Result& r : report.results) {
    if (r.ok()) ok.push_back(&r);
  }
  std::stable_sort(ok.begin(), ok.end(),
                   [](const Result* a, const Result* b) { return a->median_ms < b->median_ms; });
  if (ok.size() > kTopConfigs) ok.resize(kTopConfigs);
  std::set<std::string> resources;
  for (const Result* r : ok) {
    for (const auto& [name, _] : r->resources) resources.insert(name);
  }
  bool with_throughput = !report.throughput.empty();
  bool with_device = several_devices(report);
  const std::optional<Result>& def = report.default_result;
  std::string html = fmt::format("<section id=\"top\"><h2>Top {} configs</h2>\n", ok.size());
  html += "<table class=\"data\"><tr><th>#</th><th>median</th><th>spread</th><th>vs default</th>";
  if (with_throughput) html += "<th>throughput</th>";
  html += "<th>compile</th>";
  if (with_device) html += "<th>device</th>";
  for (const std::string& name : resources) html += fmt::format("<th>{}</th>", escape_xml(name));
  html += "<th>config (differences from the default)</th></tr>\n";
  for (std::size_t i = 0; i < ok.size(); ++i) {
    const Result& r = *ok[i];
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.1f}%</td><td>{}</td>", i + 1,
                        format_ms(r.median_ms), r.spread() * 100,
                        def && def->ok() ? fmt::format("{:.2f}×", def->median_ms / r.median_ms) : "-");
    if (with_throughput) html += fmt::format("<td>{}</td>", throughput_text(report, r.key));
    html += fmt::format("<td>{}</td>", r.compile_ms > 0 ? fmt::format("{:.0f} ms", r.compile_ms)
                                                        : "cached");
    if (with_device)
      html += fmt::format("<td class=\"cfg\">{}</td>",
                          r.device.empty() ? "-" : escape_xml(r.device));
    for (const std::string& name : resources) {
      auto it = r.resources.find(name);
      html += fmt::format("<td>{}</td>", it == r.resources.end() || !std::isfinite(it->second)
                                             ? "-"
                                             : fmt::format("{:.4g}", it->second));
    }
    html += fmt::format("<td class=\"cfg\">{}</td></tr>\n", config_cell(report, r.key));
  }
  html += "</table>\n";
  if (resources.empty())
    html += "<p class=\"muted\">This backend reports no resource usage (registers, shared "
            "memory, spills, occupancy).</p>\n";
  return html + "</section>\n";
}

std::string failures_section(const RunReport& report) {
  std::map<std::pair<std::string, std::string>, std::vector<const Result*>> groups;
  for (const Result& r : report.results) {
    if (!r.ok()) groups[{status_name(r.status), r.error_class}].push_back(&r);
  }
  std::string html = "<section id=\"failures\"><h2>Failures</h2>\n";
  if (groups.empty()) return html + "<p class=\"ok\">Every config of this run ran correctly.</p></section>\n";
  html += "<table class=\"data\"><tr><th>status</th><th>error class</th><th>count</th>"
          "<th>examples (config: message)</th></tr>\n";
  for (const auto& [group, results] : groups) {
    std::string examples;
    for (std::size_t i = 0; i < std::min(results.size(), kFailureExamples); ++i) {
      examples += fmt::format("<div><code>{}</code>: {}</div>", config_cell(report, results[i]->key),
                              escaped_excerpt(results[i]->message, 400));
    }
    html += fmt::format("<tr><td class=\"bad\">{}</td><td class=\"msg\">{}</td><td>{}</td>"
                        "<td class=\"msg\">{}</td></tr>\n",
                        escape_xml(group.first), escape_xml(group.second.empty() ? "-" : group.second),
                        results.size(), examples);
  }
  return html + "</table></section>\n";
}

}  // namespace

std::string render_html_report(const RunReport& report) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  html += fmt::format("<title>tuna report: {} (run {})</title>\n", escape_xml(report.context.kernel_name),
                      report.run.id);
  html += fmt::format("<style>{}</style></head>\n<body>\n", kStyle);
  html += fmt::format("<h1>tuna report: {}</h1>\n<p class=\"muted\">run {} on {} · generated {}</p>\n",
                      escape_xml(report.context.kernel_name), report.run.id,
                      escape_xml(report.context.device_name), escape_xml(report.generated_at));
  html += summary_section(report);
  html += best_section(report);
  html += convergence_section(report);
  html += distribution_section(report);
  html += top_section(report);
  html += failures_section(report);
  html += html::priors_section(report);
  html += html::llm_section(report);
  html += "</body></html>\n";
  return html;
}

}  // namespace tuna::report
