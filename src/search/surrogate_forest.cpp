#include "search/surrogate_forest.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tuna/errors.hpp"

namespace tuna::search {

// Fits one tree at a time on binned features. Bins are shared by all trees of one fit.
class ForestBuilder {
 public:
  ForestBuilder(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                const ForestOptions& options)
      : y_(y), options_(options), rows_(x.size()), width_(x.empty() ? 0 : x[0].size()) {
    bin_features(x);
    features_.resize(width_);
    std::iota(features_.begin(), features_.end(), std::size_t{0});
  }

  RegressionForest::Tree build(std::mt19937_64& rng) {
    tree_.clear();
    rows_of_.resize(rows_);
    std::uniform_int_distribution<std::size_t> pick(0, rows_ - 1);
    for (std::size_t& s : rows_of_) s = pick(rng);
    grow(0, rows_, 0, rng);
    return std::move(tree_);
  }

 private:
  // The values on either side of a cut between two bins.
  struct Gap {
    double below, above;
  };

  // Per feature: the bin of each row, and the gap between bin b and b+1.
  void bin_features(const std::vector<std::vector<double>>& x) {
    bins_.assign(width_, std::vector<int>(rows_, 0));
    cuts_.assign(width_, {});
    for (std::size_t f = 0; f < width_; ++f) {
      std::vector<double> distinct(rows_);
      for (std::size_t r = 0; r < rows_; ++r) distinct[r] = x[r][f];
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      // Bin b holds the distinct values in (top[b-1], top[b]]. A cut between bins b and b+1
      // separates the top of bin b from the next distinct value, the smallest of bin b+1 (not
      // from that bin's top: a value between the two tops is trained on the right and must be
      // predicted there).
      const std::vector<std::size_t> top = bin_top_indices(distinct.size());
      std::vector<double> tops;
      for (std::size_t i : top) tops.push_back(distinct[i]);
      for (std::size_t b = 0; b + 1 < top.size(); ++b)
        cuts_[f].push_back(Gap{distinct[top[b]], distinct[top[b] + 1]});
      for (std::size_t r = 0; r < rows_; ++r) {
        auto it = std::lower_bound(tops.begin(), tops.end(), x[r][f]);
        bins_[f][r] = static_cast<int>(std::min<std::ptrdiff_t>(
            it - tops.begin(), static_cast<std::ptrdiff_t>(tops.size()) - 1));
      }
    }
  }

  // Of n sorted distinct values, the index of the largest in each bin: every value is its own
  // bin up to max_bins of them; past that, one bin per max_bins-quantile.
  std::vector<std::size_t> bin_top_indices(std::size_t n) const {
    const auto bins = std::min(n, static_cast<std::size_t>(options_.max_bins));
    std::vector<std::size_t> top(bins);
    for (std::size_t b = 0; b < bins; ++b) top[b] = (b + 1) * n / bins - 1;
    return top;
  }

  struct Split {
    int feature = -1;
    int bin = 0;  // rows with bin <= this go left
    double gain = 0;
  };

  // Rows of the current node: rows_of_[begin, end).
  Split best_split(std::size_t begin, std::size_t end, std::mt19937_64& rng) {
    std::shuffle(features_.begin(), features_.end(), rng);
    const std::size_t tries = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(options_.feature_fraction * width_)));
    double total = 0;
    for (std::size_t i = begin; i < end; ++i) total += y_[rows_of_[i]];
    const double n = static_cast<double>(end - begin);
    Split best;
    for (std::size_t fi = 0, tried = 0; fi < features_.size() && tried < tries; ++fi) {
      const std::size_t f = features_[fi];
      const std::size_t nbins = cuts_[f].size() + 1;
      if (nbins < 2) continue;  // a constant feature cannot split; try another
      ++tried;
      sums_.assign(nbins, 0.0);
      counts_.assign(nbins, 0.0);
      const std::vector<int>& bin = bins_[f];
      for (std::size_t i = begin; i < end; ++i) {
        const std::size_t r = rows_of_[i];
        sums_[bin[r]] += y_[r];
        counts_[bin[r]] += 1;
      }
      double left_sum = 0, left_n = 0;
      for (std::size_t b = 0; b + 1 < nbins; ++b) {
        left_sum += sums_[b];
        left_n += counts_[b];
        const double right_n = n - left_n;
        if (left_n == 0 || right_n == 0) continue;
        const double right_sum = total - left_sum;
        // Reduction of the squared error, up to a constant shared by all splits.
        double gain = left_sum * left_sum / left_n + right_sum * right_sum / right_n -
                      total * total / n;
        if (gain > best.gain + 1e-12) best = Split{static_cast<int>(f), static_cast<int>(b), gain};
      }
    }
    return best;
  }

  // The split's threshold in its gap (ForestOptions::random_thresholds). Values at the gap's ends
  // always go their own way: the threshold is >= below and < above.
  double threshold(const Gap& gap, std::mt19937_64& rng) const {
    const double midpoint = 0.5 * (gap.below + gap.above);
    if (!options_.random_thresholds) return midpoint;
    const double t = std::uniform_real_distribution<double>(gap.below, gap.above)(rng);
    return t < gap.above ? t : midpoint;
  }

  int grow(std::size_t begin, std::size_t end, int depth, std::mt19937_64& rng) {
    const int at = static_cast<int>(tree_.size());
    tree_.emplace_back();
    double mean = 0;
    for (std::size_t i = begin; i < end; ++i) mean += y_[rows_of_[i]];
    tree_[at].value = mean / static_cast<double>(end - begin);
    if (depth >= options_.max_depth || static_cast<int>(end - begin) < options_.min_split)
      return at;
    Split split = best_split(begin, end, rng);
    if (split.feature < 0) return at;
    const std::vector<int>& bin = bins_[split.feature];
    auto middle = std::partition(rows_of_.begin() + static_cast<std::ptrdiff_t>(begin),
                                 rows_of_.begin() + static_cast<std::ptrdiff_t>(end),
                                 [&](std::size_t r) { return bin[r] <= split.bin; });
    const auto mid = static_cast<std::size_t>(middle - rows_of_.begin());
    tree_[at].feature = split.feature;
    tree_[at].threshold = threshold(cuts_[split.feature][split.bin], rng);
    int l = grow(begin, mid, depth + 1, rng);
    int r = grow(mid, end, depth + 1, rng);
    tree_[at].left = l;
    tree_[at].right = r;
    return at;
  }

  const std::vector<double>& y_;
  const ForestOptions& options_;
  std::size_t rows_, width_;
  std::vector<std::vector<int>> bins_;
  std::vector<std::vector<Gap>> cuts_;
  std::vector<double> sums_, counts_;
  std::vector<std::size_t> features_;  // 0..width-1, shuffled per node
  std::vector<std::size_t> rows_of_;   // the bootstrap sample, partitioned node by node
  RegressionForest::Tree tree_;
};

void RegressionForest::fit(const std::vector<std::vector<double>>& x,
                           const std::vector<double>& y, const ForestOptions& options,
                           std::mt19937_64& rng) {
  TUNA_ASSERT(x.size() == y.size(), "one target per row");
  trees_.clear();
  if (x.empty()) return;
  ForestBuilder builder(x, y, options);
  for (int t = 0; t < options.trees; ++t) trees_.push_back(builder.build(rng));
}

namespace {

double leaf_value(const double* x, const std::vector<RegressionForest::Node>& tree) {
  int at = 0;
  while (tree[at].feature >= 0)
    at = x[tree[at].feature] <= tree[at].threshold ? tree[at].left : tree[at].right;
  return tree[at].value;
}

}  // namespace

double RegressionForest::predict_tree(const std::vector<double>& x, std::size_t t) const {
  TUNA_ASSERT(t < trees_.size(), "tree index out of range");
  return leaf_value(x.data(), trees_[t]);
}

RegressionForest::Prediction RegressionForest::predict(const double* x) const {
  Prediction p;
  if (trees_.empty()) return p;
  double sum = 0, sum_sq = 0;
  for (const Tree& tree : trees_) {
    const double v = leaf_value(x, tree);
    sum += v;
    sum_sq += v * v;
  }
  const double n = static_cast<double>(trees_.size());
  p.mean = sum / n;
  p.stddev = std::sqrt(std::max(0.0, sum_sq / n - p.mean * p.mean));
  return p;
}

RegressionForest::Bounds RegressionForest::bounds() const {
  Bounds b;
  if (trees_.empty()) return b;
  double lowest = INFINITY, highest = -INFINITY;
  for (const Tree& tree : trees_) {
    double tree_low = INFINITY;
    for (const Node& node : tree) {
      if (node.feature >= 0) continue;
      tree_low = std::min(tree_low, node.value);
      highest = std::max(highest, node.value);
    }
    b.mean_low += tree_low / static_cast<double>(trees_.size());
    lowest = std::min(lowest, tree_low);
  }
  b.spread_high = (highest - lowest) / 2;
  return b;
}

}  // namespace tuna::search
