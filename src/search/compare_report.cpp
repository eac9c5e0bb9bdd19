#include "search/compare_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "tuna/errors.hpp"

namespace tuna::search {

namespace {

std::string evals_cell(double evals, double reached) {
  // Runs that never reached the target count as the largest budget, so the mean is a lower
  // bound; the share of runs that reached it says how loose.
  if (reached >= 1.0 - 1e-9) return fmt::format("{:.1f}", evals);
  return fmt::format(">{:.1f} ({:.0f}%)", evals, reached * 100);
}

// A mean score with its standard error ("0.933±0.018"); the exact expectation has none to show
// (an error of 0), nor has a single run (NaN).
std::string score_cell(double score, double stderr_) {
  if (!std::isfinite(stderr_) || stderr_ == 0) return fmt::format("{:.3f}", score);
  return fmt::format("{:.3f}±{:.3f}", score, stderr_);
}

void append_block(std::string& out, const std::string& title,
                  const std::vector<StrategyStats>& rows, const CompareOptions& options) {
  out += title + "\n";
  std::size_t width = 10;
  for (const StrategyStats& r : rows) width = std::max(width, r.strategy.size());
  out += fmt::format("  {:<{}}", "strategy", width);
  for (std::size_t b : options.budgets) out += fmt::format(" {:>13}", fmt::format("@{}", b));
  for (double t : options.targets) out += fmt::format(" {:>14}", fmt::format("evals>={:g}", t));
  // With a modelled pipeline: how long the devices sat idle, and in how many batches.
  const bool timed = options.pipeline.has_value();
  if (timed) out += fmt::format(" {:>7} {:>8}", "idle", "batches");
  out += "\n";
  for (const StrategyStats& r : rows) {
    out += fmt::format("  {:<{}}", r.strategy, width);
    for (std::size_t i = 0; i < r.score.size(); ++i)
      out += fmt::format(" {:>13}", score_cell(r.score[i], i < r.score_stderr.size()
                                                                 ? r.score_stderr[i]
                                                                 : std::nan("")));
    for (std::size_t i = 0; i < r.evals_to.size(); ++i)
      out += fmt::format(" {:>14}", evals_cell(r.evals_to[i], r.reached[i]));
    if (timed && r.idle_share && r.batches) {
      out += fmt::format(" {:>6.1f}% {:>8.1f}", *r.idle_share * 100, *r.batches);
    }
    out += "\n";
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Distinct line colours (Okabe-Ito, readable by colour-blind people).
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#F0E442", "#000000"};

bool any_llm(const CompareReport& report) {
  for (const StrategyStats& r : report.average)
    if (r.llm) return true;
  return false;
}

std::string runs_phrase(const CompareOptions& o) {
  bool guided = false;
  for (const std::string& name : o.strategies) guided = guided || o.runs_of(name) != o.runs;
  if (!guided) return fmt::format("{} runs", o.runs);
  return fmt::format("{} runs, {} for LLM strategies", o.runs, o.guided_runs);
}

std::string pipeline_phrase(const CompareOptions& o) {
  return fmt::format(
      "modelled evaluator: {} compile jobs, {} device{}, the recorded compile and run times; "
      "batches of {}, {}; idle: the share of the device time with no config running; batches: "
      "each one after the first drained the devices",
      o.pipeline->compile_jobs, o.pipeline->devices, o.pipeline->devices == 1 ? "" : "s",
      o.batch_size, o.lookahead ? "lookahead on" : "synchronous (--sync-batches)");
}

std::string usage_cells(const LlmUsage& u, std::size_t runs) {
  const double n = static_cast<double>(std::max<std::size_t>(1, runs));
  std::string calls = fmt::format("{} ({:.1f})", u.calls, static_cast<double>(u.calls) / n);
  if (u.failed_calls) calls += fmt::format(" {} failed", u.failed_calls);
  return fmt::format(" {:>16} {:>20} {:>18} {:>18}", calls,
                     fmt::format("{} ({:.0f})", u.input_tokens, u.input_tokens / n),
                     fmt::format("{} ({:.0f})", u.output_tokens, u.output_tokens / n),
                     fmt::format("{:.1f} s ({:.1f})", u.model_s, u.model_s / n));
}

// What the LLM strategies cost: calls, tokens and model time, summed over runs.
void append_llm_usage(std::string& out, const CompareReport& report) {
  std::size_t width = 10;
  for (const SpaceStats& s : report.spaces) width = std::max(width, s.name.size());
  out += "\nLLM usage (summed over runs; per run in brackets; model time: the calls' latencies)\n";
  out += fmt::format("  {:<{}} {:<8} {:>5} {:>16} {:>20} {:>18} {:>18}\n", "space", width,
                     "strategy", "runs", "calls", "tokens in", "tokens out", "model time");
  auto rows = [&](const std::string& space, const std::vector<StrategyStats>& stats) {
    for (const StrategyStats& r : stats) {
      if (!r.llm) continue;
      out += fmt::format("  {:<{}} {:<8} {:>5}", space, width, r.strategy, r.runs) +
             usage_cells(*r.llm, r.runs) + "\n";
    }
  };
  for (const SpaceStats& s : report.spaces) rows(s.name, s.strategies);
  if (report.spaces.size() > 1) rows("all spaces", report.average);
}

// One line per prior the strategies were given, with how well it ranks the whole space.
std::string prior_lines(const SpaceStats& s) {
  std::string out;
  for (const SpaceStats::PriorNote& p : s.priors)
    out += fmt::format("\n  prior {}: Spearman {:.3f} over the {} configs both ran", p.label,
                       p.agreement.spearman, p.agreement.compared);
  return out;
}

// "; score 0.912 @20, 0.987 @50": what the run reached at each budget.
std::string run_scores_phrase(const GuidedRunInfo& run, const std::vector<std::size_t>& budgets) {
  std::string out;
  for (std::size_t i = 0; i < run.score.size() && i < budgets.size(); ++i)
    out += fmt::format("{}{:.3f} @{}", out.empty() ? "; score " : ", ", run.score[i], budgets[i]);
  return out;
}

}  // namespace

std::string format_guided_runs(const CompareReport& report) {
  std::string out;
  for (const SpaceStats& s : report.spaces) {
    for (const StrategyStats& r : s.strategies) {
      for (const GuidedRunInfo& run : r.guided_runs) {
        out += fmt::format(
            "{} {} seed {}: {} evaluations, {} LLM calls{}, tokens {} in + {} out, model time "
            "{:.1f} s{}; stopped: {}{}\n",
            s.name, r.strategy, run.seed, run.evaluations, run.llm.calls,
            run.llm.failed_calls ? fmt::format(" ({} failed)", run.llm.failed_calls) : "",
            run.llm.input_tokens, run.llm.output_tokens, run.llm.model_s,
            run.store_run ? fmt::format(", store run {}", run.store_run) : "", run.stop_reason,
            run_scores_phrase(run, report.options.budgets));
      }
    }
  }
  return out;
}

std::string format_compare_table(const CompareReport& report) {
  const CompareOptions& o = report.options;
  std::string out = fmt::format(
      "score = t_opt / t_found (mean over {}, ± its standard error: two means closer than "
      "about twice their combined error are within the runs' noise); evals>=f: mean "
      "evaluations to reach f of the optimum (runs that never did count as {}; '>' with the "
      "share that did)\n\n",
      runs_phrase(o), o.budgets.empty() ? 0 : *std::max_element(o.budgets.begin(), o.budgets.end()));
  if (o.pipeline) out += pipeline_phrase(o) + "\n\n";
  for (const SpaceStats& s : report.spaces) {
    append_block(out,
                 fmt::format("{}: {} valid configs, {} ran correctly, optimum {:.4g} ms", s.name,
                             s.configs, s.ok_configs, s.optimum_ms) + prior_lines(s),
                 s.strategies, o);
    out += "\n";
  }
  append_block(out, fmt::format("mean over {} spaces", report.spaces.size()), report.average, o);
  if (any_llm(report)) append_llm_usage(out, report);
  return out;
}

std::string compare_csv(const CompareReport& report) {
  const CompareOptions& o = report.options;
  std::string out = "space,strategy,runs";
  for (std::size_t b : o.budgets) out += fmt::format(",score_at_{}", b);
  for (std::size_t b : o.budgets) out += fmt::format(",score_stderr_at_{}", b);
  for (double t : o.targets) out += fmt::format(",evals_to_{:g},reached_{:g}", t, t);
  // The LLM's cost, summed over the row's runs, only when LLM strategies were compared.
  const bool llm = any_llm(report);
  if (llm) out += ",llm_calls,llm_input_tokens,llm_output_tokens,llm_model_s";
  const bool timed = o.pipeline.has_value();
  if (timed) out += ",device_idle_share,batches";
  out += "\n";
  auto rows = [&](const std::string& space, const std::vector<StrategyStats>& stats) {
    for (const StrategyStats& r : stats) {
      out += csv_field(space) + "," + csv_field(r.strategy) + "," +
             (r.exact ? std::string("exact") : std::to_string(o.runs_of(r.strategy)));
      for (double s : r.score) out += fmt::format(",{:.6f}", s);
      for (double e : r.score_stderr) out += std::isfinite(e) ? fmt::format(",{:.6f}", e) : ",";
      for (std::size_t i = 0; i < r.evals_to.size(); ++i)
        out += fmt::format(",{:.3f},{:.4f}", r.evals_to[i], r.reached[i]);
      if (llm && r.llm) {
        out += fmt::format(",{},{},{},{:.3f}", r.llm->calls, r.llm->input_tokens,
                           r.llm->output_tokens, r.llm->model_s);
      } else if (llm) {
        out += ",,,,";
      }
      if (timed && r.idle_share && r.batches) {
        out += fmt::format(",{:.4f},{:.2f}", *r.idle_share, *r.batches);
      } else if (timed) {
        out += ",,";
      }
      out += "\n";
    }
  };
  for (const SpaceStats& s : report.spaces) rows(s.name, s.strategies);
  rows("mean", report.average);
  return out;
}

std::string compare_svg(const CompareReport& report) {
  const double w = 720, h = 440, left = 60, right = 190, top = 30, bottom = 50;
  const double pw = w - left - right, ph = h - top - bottom;
  std::size_t cap = 1;
  for (const StrategyStats& r : report.average) cap = std::max(cap, r.curve.size());
  // The y range starts at the lowest mean score shown, rounded down to a tenth.
  double lo = 1.0;
  for (const StrategyStats& r : report.average)
    for (double v : r.curve) lo = std::min(lo, v);
  lo = std::clamp(std::floor(lo * 10) / 10, 0.0, 0.9);
  auto x_of = [&](double k) { return left + pw * (k - 1) / std::max<double>(1.0, cap - 1.0); };
  auto y_of = [&](double s) { return top + ph * (1.0 - (s - lo) / (1.0 - lo)); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"{}\" y=\"18\" font-size=\"14\">Mean score t_opt/t_found over "
      "{} spaces ({} each)</text>\n",
      w, h, left, report.spaces.size(), runs_phrase(report.options));
  for (int i = 0; i <= 10; ++i) {
    double s = lo + (1.0 - lo) * i / 10.0;
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.2f}</text>\n",
        left, left + pw, y_of(s), left - 6, y_of(s) + 4, s);
  }
  for (std::size_t b : report.options.budgets) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        x_of(static_cast<double>(b)), top, top + ph, top + ph + 16, b);
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">evaluations</text>\n",
                     left + pw / 2, h - 12);
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                     "stroke=\"#444\"/>\n",
                     left, top, pw, ph);
  for (std::size_t i = 0; i < report.average.size(); ++i) {
    const StrategyStats& r = report.average[i];
    const char* colour = r.exact ? "#777777" : kColours[i % std::size(kColours)];
    std::string points;
    for (std::size_t k = 1; k <= r.curve.size(); ++k)
      points += fmt::format("{:.1f},{:.1f} ", x_of(static_cast<double>(k)),
                            y_of(std::max(lo, r.curve[k - 1])));
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} "
                       "points=\"{}\"/>\n",
                       colour, r.exact ? " stroke-dasharray=\"6,4\"" : "", points);
    double ly = top + 10 + 18.0 * static_cast<double>(i);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"2\"{4}/><text x=\"{5:.1f}\" y=\"{6:.1f}\">{7}</text>\n",
        left + pw + 12, left + pw + 36, ly, colour, r.exact ? " stroke-dasharray=\"6,4\"" : "",
        left + pw + 42, ly + 4, xml_escape(r.strategy));
  }
  svg += "</svg>\n";
  return svg;
}

namespace {

nlohmann::ordered_json usage_json(const LlmUsage& u) {
  return {{"calls", u.calls},
          {"failed_calls", u.failed_calls},
          {"input_tokens", u.input_tokens},
          {"output_tokens", u.output_tokens},
          {"model_time_s", u.model_s}};
}

// A run's scores in the shape of a strategy's: {"budget", "score"} per budget.
nlohmann::ordered_json run_scores_json(const GuidedRunInfo& run,
                                       const std::vector<std::size_t>& budgets) {
  nlohmann::ordered_json scores = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < run.score.size() && i < budgets.size(); ++i)
    scores.push_back({{"budget", budgets[i]}, {"score", run.score[i]}});
  return scores;
}

void add_usage_rows(nlohmann::ordered_json& rows, const std::vector<StrategyStats>& stats,
                    const std::vector<std::size_t>& budgets) {
  if (!rows.is_array() || rows.size() != stats.size()) return;
  for (std::size_t i = 0; i < stats.size(); ++i) {
    const StrategyStats& st = stats[i];
    if (!st.exact) rows[i]["runs"] = st.runs;
    if (!st.llm) continue;
    nlohmann::ordered_json llm = usage_json(*st.llm);
    if (!st.guided_runs.empty()) {
      nlohmann::ordered_json runs = nlohmann::ordered_json::array();
      for (const GuidedRunInfo& run : st.guided_runs) {
        nlohmann::ordered_json j = usage_json(run.llm);
        j["seed"] = run.seed;
        j["evaluations"] = run.evaluations;
        j["stop_reason"] = run.stop_reason;
        j["scores"] = run_scores_json(run, budgets);
        if (run.store_run) j["store_run"] = run.store_run;
        runs.push_back(std::move(j));
      }
      llm["runs"] = std::move(runs);
    }
    rows[i]["llm"] = std::move(llm);
  }
}

}  // namespace

void add_llm_usage_json(nlohmann::ordered_json& document, const CompareReport& report) {
  if (document.contains("options") && report.options.guided_runs > 0)
    document["options"]["llm_runs"] = report.options.guided_runs;
  if (document.contains("spaces") && document["spaces"].size() == report.spaces.size()) {
    for (std::size_t s = 0; s < report.spaces.size(); ++s)
      add_usage_rows(document["spaces"][s]["strategies"], report.spaces[s].strategies,
                     report.options.budgets);
  }
  if (document.contains("average"))
    add_usage_rows(document["average"], report.average, report.options.budgets);
}

void write_text_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  if (out) out << text;
  if (!out) {
    throw UserError(fmt::format("cannot write {}: {}; check that its folder exists and is "
                                "writable",
                                file.string(), std::strerror(errno)));
  }
}

}  // namespace tuna::search
