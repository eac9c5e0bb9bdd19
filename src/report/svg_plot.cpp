#include "report/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tuna::report {
namespace {

constexpr double kMarginLeft = 72, kMarginRight = 18, kMarginTop = 52, kMarginBottom = 50;
constexpr const char* kFont = "font-family=\"sans-serif\"";

// Coordinates are written with two decimals: enough for a screen, and never "nan" or "inf"
// because every caller maps finite data into the plot box first.
std::string num(double v) { return fmt::format("{:.2f}", v); }

// One axis: the data range mapped onto a pixel range, linear or log10.
struct Axis {
  double lo = 0, hi = 1;  // in data units (log10 of them when log)
  bool log = false;
  double px_lo = 0, px_hi = 1;

  double to_px(double v) const {
    double t = log ? std::log10(v) : v;
    return px_lo + (t - lo) / (hi - lo) * (px_hi - px_lo);
  }
};

double nice_step(double range, int target_ticks) {
  double raw = range / std::max(1, target_ticks);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

// A linear axis padded out to whole ticks; a single value gets a range around it.
Axis linear_axis(double min, double max, std::vector<double>& ticks) {
  if (min == max) {
    double pad = min == 0 ? 1 : std::fabs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  double step = nice_step(max - min, 5);
  Axis a;
  a.lo = std::floor(min / step) * step;
  a.hi = std::ceil(max / step) * step;
  for (double t = a.lo; t <= a.hi + step * 1e-9; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return a;
}

// A log axis over whole decades, with 2x and 5x ticks when it spans few of them.
Axis log_axis(double min, double max, std::vector<double>& ticks) {
  Axis a;
  a.log = true;
  a.lo = std::floor(std::log10(min));
  a.hi = std::ceil(std::log10(max));
  if (a.hi <= a.lo) a.hi = a.lo + 1;
  bool fine = a.hi - a.lo <= 2;
  for (double d = a.lo; d <= a.hi; ++d) {
    double base = std::pow(10.0, d);
    ticks.push_back(base);
    if (fine && d < a.hi) {
      ticks.push_back(2 * base);
      ticks.push_back(5 * base);
    }
  }
  return a;
}

bool finite_point(const PlotPoint& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

void append_frame(std::string& svg, int width, int height, const std::string& title) {
  svg += fmt::format(
      "<svg class=\"plot\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
      width, height, width, height, escape_xml(title));
  svg += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                     width, height);
  svg += fmt::format(
      "<text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\" {} "
      "fill=\"#222\">{}</text>\n",
      num(width / 2.0), kFont, escape_xml(title));
}

void append_x_axis(std::string& svg, const Axis& x, const std::vector<double>& ticks, double y0,
                   double y1, const std::string& label, int width, int height) {
  for (double t : ticks) {
    double px = x.to_px(t);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#e3e3e3\"/>\n",
                       num(px), num(y1), num(y0));
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" {} fill=\"#333\">{}</text>\n",
        num(px), num(y0 + 16), kFont, escape_xml(tick_label(t)));
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" {} fill=\"#222\">{}</text>\n",
      num((kMarginLeft + width - kMarginRight) / 2), num(height - 10.0), kFont,
      escape_xml(label));
}

void append_y_axis(std::string& svg, const Axis& y, const std::vector<double>& ticks, double x0,
                   double x1, const std::string& label, int height) {
  for (double t : ticks) {
    double py = y.to_px(t);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#e3e3e3\"/>\n",
                       num(x0), num(py), num(x1));
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" {} fill=\"#333\">{}</text>\n",
        num(x0 - 6), num(py + 4), kFont, escape_xml(tick_label(t)));
  }
  double cy = (kMarginTop + height - kMarginBottom) / 2;
  svg += fmt::format(
      "<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" font-size=\"13\" {1} fill=\"#222\" "
      "transform=\"rotate(-90 16 {0})\">{2}</text>\n",
      num(cy), kFont, escape_xml(label));
}

void append_marker(std::string& svg, SeriesStyle style, const std::string& color, double px,
                   double py) {
  if (style == SeriesStyle::Crosses) {
    svg += fmt::format(
        "<path d=\"M{0} {1}L{2} {3}M{0} {3}L{2} {1}\" stroke=\"{4}\" stroke-width=\"1.6\"/>\n",
        num(px - 4), num(py - 4), num(px + 4), num(py + 4), escape_xml(color));
  } else {
    svg += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" fill-opacity=\"0.55\"/>\n", num(px),
        num(py), escape_xml(color));
  }
}

void append_legend(std::string& svg, const std::vector<PlotSeries>& series) {
  double x = kMarginLeft;
  for (const PlotSeries& s : series) {
    if (s.points.empty()) continue;
    double y = 36;
    if (s.style == SeriesStyle::Steps) {
      svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
                         "stroke-width=\"2\"/>\n",
                         num(x), num(y), num(x + 18), num(y), escape_xml(s.color));
    } else {
      append_marker(svg, s.style, s.color, x + 9, y);
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" {} fill=\"#222\">{}</text>\n",
                       num(x + 24), num(y + 4), kFont, escape_xml(s.label));
    x += 24 + 6.4 * static_cast<double>(s.label.size()) + 16;
  }
}

void append_steps(std::string& svg, const PlotSeries& s, const Axis& x, const Axis& y) {
  std::string path;
  double last_py = 0;
  for (const PlotPoint& p : s.points) {
    if (!finite_point(p)) continue;
    double px = x.to_px(p.x), py = y.to_px(p.y);
    path += path.empty() ? fmt::format("M{} {}", num(px), num(py))
                         : fmt::format("L{} {}L{} {}", num(px), num(last_py), num(px), num(py));
    last_py = py;
  }
  if (path.empty()) return;
  // Carried on to the right edge: the best so far holds until the end of the run.
  path += fmt::format("L{} {}", num(x.px_hi), num(last_py));
  svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", path,
                     escape_xml(s.color));
}

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab and newline are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string tick_label(double value) {
  if (value == 0) return "0";
  double a = std::fabs(value);
  if (a >= 1e5 || a < 1e-3) return fmt::format("{:.2g}", value);
  return fmt::format("{:.4g}", value);
}

std::string svg_xy_plot(const PlotOptions& options, const std::vector<PlotSeries>& series) {
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min;
  for (const PlotSeries& s : series) {
    for (const PlotPoint& p : s.points) {
      // A failure's x counts (its cross is drawn on the top edge), its missing y does not.
      if (std::isfinite(p.x)) x_min = std::min(x_min, p.x), x_max = std::max(x_max, p.x);
      if (!finite_point(p) || (options.log_y && p.y <= 0)) continue;
      y_min = std::min(y_min, p.y), y_max = std::max(y_max, p.y);
    }
  }
  std::string svg;
  append_frame(svg, options.width, options.height, options.title);
  if (!std::isfinite(x_min) || !std::isfinite(y_min)) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" {} "
                       "fill=\"#666\">no correct measurement to plot</text>\n</svg>\n",
                       num(options.width / 2.0), num(options.height / 2.0), kFont);
    return svg;
  }
  std::vector<double> x_ticks, y_ticks;
  Axis x = linear_axis(x_min, x_max, x_ticks);
  Axis y = options.log_y ? log_axis(y_min, y_max, y_ticks) : linear_axis(y_min, y_max, y_ticks);
  x.px_lo = kMarginLeft, x.px_hi = options.width - kMarginRight;
  y.px_lo = options.height - kMarginBottom, y.px_hi = kMarginTop;
  append_x_axis(svg, x, x_ticks, y.px_lo, y.px_hi, options.x_label, options.width,
                options.height);
  append_y_axis(svg, y, y_ticks, x.px_lo, x.px_hi, options.y_label, options.height);
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                     "stroke=\"#888\"/>\n",
                     num(x.px_lo), num(y.px_hi), num(x.px_hi - x.px_lo), num(y.px_lo - y.px_hi));
  for (const PlotSeries& s : series) {
    if (s.style == SeriesStyle::Steps) {
      append_steps(svg, s, x, y);
      continue;
    }
    for (const PlotPoint& p : s.points) {
      if (!std::isfinite(p.x)) continue;
      // A failed config has no time: its cross sits on the top edge, at its x.
      bool on_edge = !std::isfinite(p.y) || (options.log_y && p.y <= 0);
      if (on_edge && s.style != SeriesStyle::Crosses) continue;
      append_marker(svg, s.style, s.color, x.to_px(p.x), on_edge ? y.px_hi : y.to_px(p.y));
    }
  }
  append_legend(svg, series);
  svg += "</svg>\n";
  return svg;
}

std::string svg_histogram(const HistogramOptions& options, const std::vector<double>& values) {
  std::vector<double> v;
  for (double t : values) {
    if (std::isfinite(t) && t > 0) v.push_back(t);
  }
  std::string svg;
  append_frame(svg, options.width, options.height, options.title);
  if (v.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" {} "
                       "fill=\"#666\">no correct measurement to plot</text>\n</svg>\n",
                       num(options.width / 2.0), num(options.height / 2.0), kFont);
    return svg;
  }
  auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  double lo = *lo_it, hi = *hi_it;
  bool log = hi / lo > 10;
  std::vector<double> x_ticks;
  Axis x = log ? log_axis(lo, hi, x_ticks) : linear_axis(lo, hi, x_ticks);
  x.px_lo = kMarginLeft, x.px_hi = options.width - kMarginRight;
  int bins = std::max(1, options.bins);
  std::vector<int> counts(static_cast<std::size_t>(bins), 0);
  for (double t : v) {
    double pos = ((log ? std::log10(t) : t) - x.lo) / (x.hi - x.lo);
    auto bin = static_cast<std::ptrdiff_t>(pos * bins);
    counts[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(bin, 0, bins - 1))]++;
  }
  std::vector<double> y_ticks;
  int top = *std::max_element(counts.begin(), counts.end());
  Axis y = linear_axis(0, std::max(1, top), y_ticks);
  y.px_lo = options.height - kMarginBottom, y.px_hi = kMarginTop;
  // Counts are whole: fractional ticks from a small maximum would read as nonsense.
  std::erase_if(y_ticks, [](double t) { return t != std::floor(t); });
  std::string x_label = options.x_label + (log ? " — log scale" : "");
  append_x_axis(svg, x, x_ticks, y.px_lo, y.px_hi, x_label, options.width, options.height);
  append_y_axis(svg, y, y_ticks, x.px_lo, x.px_hi, "configs", options.height);
  double bin_px = (x.px_hi - x.px_lo) / bins;
  for (int b = 0; b < bins; ++b) {
    int c = counts[static_cast<std::size_t>(b)];
    if (c == 0) continue;
    double top_px = y.to_px(c);
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#4e79a7\">"
                       "<title>{} configs</title></rect>\n",
                       num(x.px_lo + b * bin_px + 0.5), num(top_px), num(std::max(1.0, bin_px - 1)),
                       num(y.px_lo - top_px), c);
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                     "stroke=\"#888\"/>\n</svg>\n",
                     num(x.px_lo), num(y.px_hi), num(x.px_hi - x.px_lo), num(y.px_lo - y.px_hi));
  return svg;
}

}  // namespace tuna::report
