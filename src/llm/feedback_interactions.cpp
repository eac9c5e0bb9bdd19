// Where two parameters interact: the best time measured for each pair of their values.
// The per-value summaries elsewhere in the prompt ("best time per value") are one parameter at a
// time, so they cannot show that a value loses with one setting of another parameter and wins
// with another. On Kernel Tuner's pnpoly recording (RTX 3090) the branching crossing test
// (use_method 0) trails the precomputed slopes (use_method 2) at every tile size up to 16 and
// beats every other config from tile 18 on; a model shown only the per-value bests keeps
// use_method 2 and never measures the winning pair. A table of best times per pair of values,
// with the pairs never measured marked, shows where such a cell may still hide.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "llm/feedback.hpp"
#include "llm/feedback_internal.hpp"
#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace {

constexpr double kUnmeasured = std::numeric_limits<double>::infinity();

struct PairGrid {
  std::size_t rows = 0, cols = 0;  // parameter indices: rows has at least as many values
  std::vector<std::vector<double>> best_log;  // kUnmeasured where no config ran correctly
  std::vector<std::vector<bool>> failed_only;  // measured, but every config there failed
  double interaction = 0;  // the largest departure from an additive fit, in log time
};

PairGrid make_grid(const FeedbackInputs& in, std::size_t rows, std::size_t cols) {
  const Parameter& pr = in.space.params()[rows];
  const Parameter& pc = in.space.params()[cols];
  PairGrid g;
  g.rows = rows;
  g.cols = cols;
  g.best_log.assign(pr.values.size(), std::vector<double>(pc.values.size(), kUnmeasured));
  g.failed_only.assign(pr.values.size(), std::vector<bool>(pc.values.size(), false));
  for (const Result& r : in.results) {
    if (r.config.size() != in.space.params().size()) continue;
    const auto i = pr.index_of(r.config[rows]);
    const auto j = pc.index_of(r.config[cols]);
    if (i < 0 || j < 0) continue;
    if (counts_as_failed(r)) {
      if (g.best_log[i][j] == kUnmeasured) g.failed_only[i][j] = true;
      continue;
    }
    g.failed_only[i][j] = false;
    g.best_log[i][j] = std::min(g.best_log[i][j], std::log(r.median_ms));
  }
  return g;
}

// Fits best_log[i][j] ~ row[i] + col[j] over the measured cells (alternating means) and
// returns the largest residual: 0 when the best value of one parameter never depends on the
// other (as far as the measured cells tell), large when it does.
double interaction_strength(const PairGrid& g) {
  const std::size_t nr = g.best_log.size(), nc = g.best_log[0].size();
  std::vector<double> row(nr, 0), col(nc, 0);
  std::size_t measured = 0;
  std::vector<std::size_t> per_row(nr, 0), per_col(nc, 0);
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j)
      if (g.best_log[i][j] != kUnmeasured) ++measured, ++per_row[i], ++per_col[j];
  const auto rows_seen = std::count_if(per_row.begin(), per_row.end(), [](auto n) { return n > 1; });
  const auto cols_seen = std::count_if(per_col.begin(), per_col.end(), [](auto n) { return n > 1; });
  // Without two rows and two columns measured twice each, every cell fits exactly.
  if (measured < 4 || rows_seen < 2 || cols_seen < 2) return 0;
  for (int pass = 0; pass < 20; ++pass) {
    for (std::size_t i = 0; i < nr; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < nc; ++j)
        if (g.best_log[i][j] != kUnmeasured) sum += g.best_log[i][j] - col[j];
      if (per_row[i]) row[i] = sum / static_cast<double>(per_row[i]);
    }
    for (std::size_t j = 0; j < nc; ++j) {
      double sum = 0;
      for (std::size_t i = 0; i < nr; ++i)
        if (g.best_log[i][j] != kUnmeasured) sum += g.best_log[i][j] - row[i];
      if (per_col[j]) col[j] = sum / static_cast<double>(per_col[j]);
    }
  }
  double worst = 0;
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j)
      if (g.best_log[i][j] != kUnmeasured)
        worst = std::max(worst, std::abs(g.best_log[i][j] - row[i] - col[j]));
  return worst;
}

std::string format_grid(const FeedbackInputs& in, const PairGrid& g, double best_ms) {
  const Parameter& pr = in.space.params()[g.rows];
  const Parameter& pc = in.space.params()[g.cols];
  std::vector<std::string> header{fmt::format("{} \\ {}", pr.name, pc.name)};
  for (const Value& v : pc.values) header.push_back(value_json(v));
  std::vector<std::vector<std::string>> lines{header};
  for (std::size_t i = 0; i < pr.values.size(); ++i) {
    std::vector<std::string> line{value_json(pr.values[i])};
    for (std::size_t j = 0; j < pc.values.size(); ++j) {
      if (g.best_log[i][j] != kUnmeasured)
        line.push_back(fmt::format("x{:.2f}", std::exp(g.best_log[i][j]) / best_ms));
      else
        line.push_back(g.failed_only[i][j] ? "failed" : "-");
    }
    lines.push_back(std::move(line));
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& line : lines)
    for (std::size_t k = 0; k < line.size(); ++k) width[k] = std::max(width[k], line[k].size());
  std::string out;
  for (const auto& line : lines) {
    std::string text = "  ";
    for (std::size_t k = 0; k < line.size(); ++k)
      text += fmt::format("{:<{}}", line[k], width[k] + (k + 1 < line.size() ? 2 : 0));
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  return out;
}

}  // namespace

std::string summarize_interactions(const FeedbackInputs& in, std::size_t max_tables,
                                   std::size_t max_values) {
  const auto ranked = ranked_results(in.results);
  if (ranked.size() < kInteractionMinResults || max_tables == 0) return {};
  const auto& params = in.space.params();
  std::vector<std::size_t> eligible;
  for (std::size_t p = 0; p < params.size(); ++p)
    if (params[p].values.size() >= 2 && params[p].values.size() <= max_values) eligible.push_back(p);
  std::vector<PairGrid> grids;
  for (std::size_t a = 0; a < eligible.size(); ++a) {
    for (std::size_t b = a + 1; b < eligible.size(); ++b) {
      std::size_t rows = eligible[a], cols = eligible[b];
      if (params[rows].values.size() < params[cols].values.size()) std::swap(rows, cols);
      PairGrid g = make_grid(in, rows, cols);
      g.interaction = interaction_strength(g);
      if (g.interaction >= std::log(1.0 + kInteractionMinEffect)) grids.push_back(std::move(g));
    }
  }
  if (grids.empty()) return {};
  // Strongest first; ties in parameter order, so the prompt is the same on every run.
  std::stable_sort(grids.begin(), grids.end(),
                   [](const PairGrid& x, const PairGrid& y) { return x.interaction > y.interaction; });
  if (grids.size() > max_tables) grids.resize(max_tables);
  std::string out =
      "The pairs of parameters whose effects depend on each other most in what was measured: for "
      "each pair of values, the best time measured with both, relative to the best config (\"-\": "
      "never measured together; \"failed\": every config there failed). A value that loses with "
      "one setting of the other parameter may win with another: an unmeasured cell beside fast "
      "ones, or at the end of a row still getting faster, is worth a config.\n";
  for (const PairGrid& g : grids)
    out += fmt::format("- {} and {}:\n", params[g.rows].name, params[g.cols].name) +
           format_grid(in, g, ranked[0]->median_ms);
  return out;
}

}  // namespace tuna::llm
