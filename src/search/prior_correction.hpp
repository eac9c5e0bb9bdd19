#pragma once
// A prior used as a prediction with a learned correction: this device's log time of a config is
// the prior's log time plus a correction that a regression forest learns, over the config's
// parameters, from the configs measured both here and there. Where two devices differ by family
// (shared memory pays on one GPU and not on the other), a few measurements teach the correction
// the family's offset, and the prior's own order still ranks the family's members; a model that
// gets the prior's rank as one input among the parameters has to learn that order again inside
// each family, from the few configs measured there (docs/priors.md, "The corrected prior").
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "search/population.hpp"
#include "search/surrogate_forest.hpp"
#include "tuna/prior.hpp"

namespace tuna::search {

struct PriorCorrectionOptions {
  // Off: a prior that counts is only an input and a source of candidates of the surrogate's
  // classifier, as before 2026-12-08.
  bool enabled = true;
  // The correction is fitted once this many configs ran correctly both here and in the prior.
  std::size_t min_rows = 8;
  // It proposes only while the prior agrees with the measurements beyond chance at 1 % (z of a
  // one-sided test; SurrogatePriors::agrees_beyond), where the prior's other uses need 5 %: the
  // corrected prior takes every proposal, and a prior unrelated to this device, which passes
  // the 5 % test by chance at some refit of many runs, would spend them on its own order (with
  // 5 %, the A100 -> A6000 convolution's shuffled prior scored 0.874 at 50, 0.879 with 1 %;
  // the related priors the same or better).
  double agreement_z = 2.326;
  // Candidates are ranked by the corrected prediction minus `exploration` x the spread of the
  // correction's trees: greedily (`early_exploration`) until `explore_after` configs are
  // measured, while the prior's order is the best guide there is and the few measurements
  // say little about where it is wrong; then with `exploration`, so that families whose
  // correction the run has not measured get tried. Chosen on the six convolution pairs of
  // bench/results/transfer.md ("The corrected prior").
  double early_exploration = 0;
  double exploration = 2;
  std::size_t explore_after = 20;
  // The correction's forest: the classifier's settings with 10 trees instead of 20, since it
  // predicts every config of the prior for every proposal (4.9 % of a 100-evaluation run of
  // 100 ms configs on the 17,956-config GEMM space with 20 trees, 2.3 % with 10; the transfer
  // pairs score the same within their noise: bench/results/transfer.md).
  ForestOptions forest = [] {
    ForestOptions f;
    f.trees = 10;
    return f;
  }();

  double exploration_at(std::size_t measured) const {
    return measured < explore_after ? early_exploration : exploration;
  }
};

class PriorCorrection {
 public:
  using Features = std::function<std::vector<double>(const Config&)>;

  // `features` maps a config to the forest's inputs (the surrogate's own features).
  PriorCorrection(std::shared_ptr<const Prior> prior, Features features);

  // Fits the correction on the configs `history` measured correctly that the prior measured
  // too. False, and nothing fitted, with fewer than `min_rows` of them.
  bool fit(const History& history, const ForestOptions& options, std::mt19937_64& rng,
           std::size_t min_rows);
  bool fitted() const { return forest_.fitted(); }

  struct Pick {
    const PriorEntry* entry = nullptr;
    double score = 0;  // corrected log time minus exploration x the trees' spread
  };
  // The prior's entry not claimed in `history` with the lowest score: its log time there plus
  // the correction's mean, minus `exploration` x the correction's spread. nullopt when every
  // entry is claimed or nothing is fitted.
  std::optional<Pick> best_unclaimed(const History& history, double exploration) const;

 private:
  std::shared_ptr<const Prior> prior_;
  Features features_;
  // The forest's inputs of every entry of prior_->ranked(), one row after the other (computed at
  // the first fit: most runs never fit a correction), and each entry's log time.
  std::vector<double> inputs_;
  std::size_t width_ = 0;
  std::vector<double> log_times_;
  RegressionForest forest_;
};

// The correction's inputs: `base` (the surrogate's features), plus one indicator per value of
// each parameter whose values are three or more unordered choices (strings, up to 16). A
// position in a list of names means nothing, so a tree needs two splits on it to single out a
// middle value, which the few configs measured in that value's family seldom allow; a family
// offset of such a choice is what the correction must learn first.
PriorCorrection::Features with_choice_indicators(const Space& space,
                                                 PriorCorrection::Features base);

}  // namespace tuna::search
