#pragma once
// A small random forest for regression, written for the surrogate strategy: a few hundred
// samples of a dozen features, fitted hundreds of times per run, so it splits on binned
// feature values (the encoded parameters take few distinct values) instead of sorting.
#include <cstdint>
#include <random>
#include <vector>

namespace tuna::search {

struct ForestOptions {
  int trees = 20;
  int max_depth = 12;
  // A node with fewer samples than this becomes a leaf.
  int min_split = 4;
  // Fraction of the features tried at each split (at least one).
  double feature_fraction = 0.7;
  // Features with more distinct values than this are binned by rank.
  int max_bins = 32;
  // Where a split between two neighbouring values seen in the fit puts the values between
  // them, which no sample has: at the midpoint (false), so every tree sends such a value the
  // same way and agrees on it, or at a point drawn uniformly in the gap for each split (true),
  // so the trees disagree about an unmeasured value exactly where its neighbours differ, and
  // a lower confidence bound explores it. The fit itself (which samples go where) is the same.
  bool random_thresholds = false;
};

class RegressionForest {
 public:
  struct Node {
    int feature = -1;  // -1: a leaf
    double threshold = 0;  // go left when x[feature] <= threshold
    int left = 0, right = 0;
    double value = 0;
  };
  using Tree = std::vector<Node>;

  struct Prediction {
    double mean = 0;
    double stddev = 0;  // spread of the trees' predictions: the model's uncertainty
  };

  // Rows of `x` all have the same width; y has one value per row. Bootstrapped per tree.
  void fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
           const ForestOptions& options, std::mt19937_64& rng);
  Prediction predict(const std::vector<double>& x) const { return predict(x.data()); }
  // The same for an input of the fitted width stored elsewhere (a row of a matrix).
  Prediction predict(const double* x) const;
  // Bounds that hold for the prediction of any input: the mean is at least `mean_low` (the
  // trees' lowest leaves, averaged) and the spread at most `spread_high` (half the range of all
  // leaves). They let a caller skip inputs whose best possible score cannot win.
  struct Bounds {
    double mean_low = 0;
    double spread_high = 0;
  };
  Bounds bounds() const;
  // The prediction of tree `t` alone (a draw from the forest's spread, for Thompson sampling).
  double predict_tree(const std::vector<double>& x, std::size_t t) const;
  std::size_t size() const { return trees_.size(); }
  bool fitted() const { return !trees_.empty(); }

 private:
  friend class ForestBuilder;

  std::vector<Tree> trees_;
};

}  // namespace tuna::search
