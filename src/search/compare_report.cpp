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

void append_block(std::string& out, const std::string& title,
                  const std::vector<StrategyStats>& rows, const CompareOptions& options) {
  out += title + "\n";
  std::size_t width = 10;
  for (const StrategyStats& r : rows) width = std::max(width, r.strategy.size());
  out += fmt::format("  {:<{}}", "strategy", width);
  for (std::size_t b : options.budgets) out += fmt::format(" {:>7}", fmt::format("@{}", b));
  for (double t : options.targets) out += fmt::format(" {:>14}", fmt::format("evals>={:g}", t));
  out += "\n";
  for (const StrategyStats& r : rows) {
    out += fmt::format("  {:<{}}", r.strategy, width);
    for (double s : r.score) out += fmt::format(" {:>7.3f}", s);
    for (std::size_t i = 0; i < r.evals_to.size(); ++i)
      out += fmt::format(" {:>14}", evals_cell(r.evals_to[i], r.reached[i]));
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

}  // namespace

std::string format_compare_table(const CompareReport& report) {
  const CompareOptions& o = report.options;
  std::string out = fmt::format(
      "score = t_opt / t_found (mean over {} runs); evals>=f: mean evaluations to reach f of "
      "the optimum (runs that never did count as {}; '>' with the share that did)\n\n",
      o.runs, o.budgets.empty() ? 0 : *std::max_element(o.budgets.begin(), o.budgets.end()));
  for (const SpaceStats& s : report.spaces) {
    append_block(out,
                 fmt::format("{}: {} valid configs, {} ran correctly, optimum {:.4g} ms", s.name,
                             s.configs, s.ok_configs, s.optimum_ms),
                 s.strategies, o);
    out += "\n";
  }
  append_block(out, fmt::format("mean over {} spaces", report.spaces.size()), report.average, o);
  return out;
}

std::string compare_csv(const CompareReport& report) {
  const CompareOptions& o = report.options;
  std::string out = "space,strategy,runs";
  for (std::size_t b : o.budgets) out += fmt::format(",score_at_{}", b);
  for (double t : o.targets) out += fmt::format(",evals_to_{:g},reached_{:g}", t, t);
  out += "\n";
  auto rows = [&](const std::string& space, const std::vector<StrategyStats>& stats) {
    for (const StrategyStats& r : stats) {
      out += csv_field(space) + "," + csv_field(r.strategy) + "," +
             (r.exact ? std::string("exact") : std::to_string(o.runs));
      for (double s : r.score) out += fmt::format(",{:.6f}", s);
      for (std::size_t i = 0; i < r.evals_to.size(); ++i)
        out += fmt::format(",{:.3f},{:.4f}", r.evals_to[i], r.reached[i]);
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
      "{} spaces ({} runs each)</text>\n",
      w, h, left, report.spaces.size(), report.options.runs);
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
