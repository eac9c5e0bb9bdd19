#pragma once
// What the surrogate makes of the run's priors (tuna/prior.hpp): one more input per prior for
// its trees (where the config ranked there), the prior's fastest unmeasured configs among the
// candidates, both only while the prior agrees with what this run measures. Until then, and
// whenever it does not, the model is the one it would be without the prior (docs/priors.md).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "search/population.hpp"
#include "tuna/prior.hpp"

namespace tuna::search {

struct SurrogatePriorOptions {
  // Agreement is judged once this many configs both ran correctly here and were in the prior.
  std::size_t judge_after = 8;
  // Below this Spearman correlation (or below what chance gives, SurrogatePriors::judge) a prior
  // does not count: a prior that misleads must cost little.
  double min_agreement = 0.3;
  // The fastest configs of each prior still unmeasured that join the candidates.
  std::size_t candidates = 32;

  // How far beyond chance the agreement must be for a prior to count: a one-sided test at 5 %.
  double chance_z = 1.645;

  // The Spearman correlation a prior needs over `compared` configs to count: min_agreement,
  // or what unrelated ranks reach by chance at the level of `z` (higher for few configs),
  // whichever is higher. Only meaningful from judge_after configs on.
  double agreement_needed(std::size_t compared, double z) const;
};

class SurrogatePriors {
 public:
  SurrogatePriors(std::vector<std::shared_ptr<const Prior>> priors, SurrogatePriorOptions options);

  bool empty() const { return priors_.empty(); }
  std::size_t width() const { return priors_.size(); }
  const std::vector<std::shared_ptr<const Prior>>& priors() const { return priors_; }

  // Judges every prior against what `history` measured: a prior counts only while its ranks
  // agree with the measurements, clearly beyond chance (a prior not judged yet does not count).
  void judge(const History& history);
  bool trusted(std::size_t prior) const { return trusted_[prior]; }
  // Whether, at the last judge(), the prior agreed beyond what chance gives at the level of
  // `z` (a stricter test than trusted()'s for z above options.chance_z).
  bool agrees_beyond(std::size_t prior, double z) const;
  std::size_t trusted_count() const;

  // Appends one input per trusted prior to `x`: the config's rank fraction there. An untrusted
  // prior adds nothing, so the trees see exactly what they would without it.
  void append_features(const std::string& key, std::vector<double>& x) const;

  // Up to `options.candidates` of the fastest configs of each trusted prior that `history` has
  // not claimed.
  std::vector<const PriorEntry*> candidates(const History& history) const;

 private:
  std::vector<std::shared_ptr<const Prior>> priors_;
  SurrogatePriorOptions options_;
  bool agrees(double spearman, std::size_t compared, double z) const;

  struct Agreement {
    double spearman = 0;
    std::size_t compared = 0;
  };
  std::vector<Agreement> agreement_;  // per prior, at the last judge()
  std::vector<bool> trusted_;
};

}  // namespace tuna::search
