#pragma once
// Plots as inline SVG text for the HTML report: x/y plots (points and step lines) and
// histograms, with ticks, axis labels and a legend. No scripts and no external resources, so a
// report opens anywhere, offline.
#include <string>
#include <string_view>
#include <vector>

namespace tuna::report {

// Text made safe inside HTML or SVG, in element content and in quoted attributes alike.
std::string escape_xml(std::string_view text);

struct PlotPoint {
  double x = 0, y = 0;
};

enum class SeriesStyle {
  Dots,     // one small circle per point
  Crosses,  // one cross per point (failed configs)
  Steps,    // a staircase through the points (best so far)
};

struct PlotSeries {
  std::string label;  // shown in the legend
  SeriesStyle style = SeriesStyle::Dots;
  std::string color;  // a CSS colour such as "#1f77b4"
  std::vector<PlotPoint> points;
};

struct PlotOptions {
  std::string title;
  std::string x_label;  // with its unit, e.g. "wall time (s)"
  std::string y_label;
  bool log_y = false;
  int width = 560, height = 320;
};

// Points with a non-finite coordinate are left out; a plot without a single finite point says
// so in its body instead of drawing empty axes.
std::string svg_xy_plot(const PlotOptions& options, const std::vector<PlotSeries>& series);

struct HistogramOptions {
  std::string title;
  std::string x_label;
  int width = 560, height = 280;
  int bins = 24;
};

// Counts of `values` (positive, finite ones; others are ignored) in equal-width bins, or in bins
// of equal width on a log scale when the values span more than a factor of 10.
std::string svg_histogram(const HistogramOptions& options, const std::vector<double>& values);

// A short number for an axis tick: "0.5", "12", "1.5e+03".
std::string tick_label(double value);

}  // namespace tuna::report
