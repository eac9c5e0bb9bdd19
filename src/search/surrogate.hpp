#pragma once
// Surrogate-guided search: after a random initial design, a random forest trained on every
// measurement ranks candidates before any of them is measured. By default the trees classify
// "among the fastest 20 % so far" against the rest (failures included; `top_fraction`), and
// can fit log time instead. Candidates are the unmeasured neighbours of the best configs plus
// random valid samples; by default the one with the lowest confidence bound (mean -
// exploration x spread of the trees) is measured next, so the search both exploits the model
// and explores where the trees disagree. docs/strategies.md says how each default was chosen.
#include <random>
#include <unordered_set>

#include "search/population.hpp"
#include "search/prior_correction.hpp"
#include "search/prior_first.hpp"
#include "search/surrogate_features.hpp"
#include "search/surrogate_forest.hpp"
#include "search/surrogate_prior.hpp"
#include "search/surrogate_relink.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

enum class Acquisition { LowerConfidenceBound, ExpectedImprovement, Thompson };

struct SurrogateOptions {
  std::uint64_t seed = 0;
  // Random configs measured before the model is trusted (counting results observed already).
  std::size_t initial_samples = 10;
  ForestOptions forest;
  // Candidates per proposal: single-parameter neighbours of this many of the best configs,
  // neighbours within `best_radius` parameters of the very best, and random valid samples.
  std::size_t top_configs = 5;
  int best_radius = 2;
  std::size_t random_candidates = 256;
  // How candidates are ranked: by the lower confidence bound mean - exploration * spread of
  // the trees' predictions of log time (larger `exploration` explores more), or by the
  // expected improvement over the best measured time.
  Acquisition acquisition = Acquisition::LowerConfidenceBound;
  double exploration = 1.0;
  // Every this many proposals one is a random sample instead of the model's pick (0: never):
  // a guard against a model that is confidently wrong.
  std::size_t random_every = 0;
  // Uniform crossovers of two of the best configs added to the candidates per proposal: the
  // optimum often differs from good configs in several parameters at once.
  std::size_t crossover_candidates = 0;
  // Every this many proposals (0: never) one is the relink move (surrogate_relink.hpp) the model
  // ranks first, when there is one: another family's best config given one parameter value of
  // the best config. Off by default: level on the model-free fit half (docs/strategies.md) and
  // on the live LLM panel in the hybrid (HybridOptions::model_free_relink, --hybrid-relink).
  std::size_t relink_every = 0;
  RelinkOptions relink;
  // After this many measurements without a new best (0: never), propose the unmeasured
  // neighbours of the best config in the order of the model's mean, like a pattern search
  // guided by the model, until one improves or none is left.
  std::size_t stall_patience = 0;
  // 0: the trees fit log time. Otherwise they fit the indicator "not among this fraction of
  // the best measurements" (a classifier of the top fraction, as in LFBO), which a few very
  // slow or failed configs cannot distort.
  double top_fraction = 0.2;
  // Whether the trees also see how often integer values divide by two (SurrogateFeatures).
  bool alignment_features = true;
  // With priors: how many of the initial samples are the priors' leaders (PriorLeaders; the rest
  // stay random, so the model sees more than the prior's favourite region), and how the priors
  // feed the model (SurrogatePriors). 3 leaders, measured against 0 and 6 on the transfer
  // pairs of bench/results/transfer.md, is the best trade between a prior that is right at the
  // top and one that is right on the whole but wrong at the top.
  std::size_t prior_leaders = 3;
  // Once this many configs are measured (0: never), the model no longer learns from the
  // leaders: they were picked by the prior, not by the model, and a plateau they found keeps
  // the model's picks around it. They stay measured, and stay the best if nothing beats them.
  // 30 against never, 11, 15, 20 and 45 on the convolution pairs (docs/priors.md).
  std::size_t forget_leaders_after = 30;
  SurrogatePriorOptions prior;
  // While a prior counts, every proposal of the model is the prior's unmeasured config that the
  // prior's time, corrected by what this run measured, ranks first (PriorCorrection); the
  // classifier proposes when no prior counts or every config of the priors is measured.
  PriorCorrectionOptions prior_correction;
};

class SurrogateSearch : public Strategy {
 public:
  SurrogateSearch(const Space& space, SurrogateOptions options,
                  std::vector<std::shared_ptr<const Prior>> priors = {});
  std::string name() const override { return "surrogate"; }
  bool proposes_while_measuring() const override { return true; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;
  // The next `n` proposals are random, as the initial design's are, whatever was observed
  // before (the hybrid's surrogate after the LLM's first round).
  void extend_initial_design(std::size_t n) {
    options_.initial_samples = history_.claimed_count() + n;
  }
  // How many measurements the model was last fitted on (the leaders forgotten leave it out).
  std::size_t fitted_rows() const { return fitted_rows_; }

 private:
  struct Candidate {
    Config config;
    std::string key;
    std::vector<double> x;  // features_(config), without the priors' inputs
  };

  // The trees' inputs for a candidate when a prior counts: its features, then one per trusted
  // prior (SurrogatePriors), written into `scratch`.
  const std::vector<double>& with_prior_inputs(const Candidate& c,
                                               std::vector<double>& scratch) const;
  void refit();
  void add_prior_candidates(std::vector<Candidate>& out, std::unordered_set<std::string>& keys);
  std::optional<Config> next_initial();
  void add_crossovers(std::vector<Candidate>& out, std::unordered_set<std::string>& keys);
  std::vector<Candidate> stalled_candidates();
  // The relink move with the lowest score_of(candidate), claimed; nullopt when there is none.
  template <typename Score>
  std::optional<Config> best_relink(const Score& score_of);
  Candidate make_candidate(Config c, std::string key) const;
  void top_up_random_pool();
  std::vector<Candidate> candidates();
  std::optional<Config> next_random();

  const Space& space_;
  SurrogateOptions options_;
  SurrogateFeatures features_;
  std::mt19937_64 rng_;
  History history_;
  RegressionForest forest_;
  std::size_t fitted_on_ = 0;  // history size at the last fit
  std::size_t fitted_rows_ = 0;
  std::size_t proposals_ = 0;
  // Measurements since the best cost last went down, and that cost.
  std::size_t since_improvement_ = 0;
  double best_cost_ = 0;
  std::vector<Candidate> random_pool_;
  SurrogatePriors priors_;
  PriorLeaders leaders_;
  std::size_t led_ = 0;  // initial samples the priors' leaders took
  std::unordered_set<std::string> leader_keys_;  // keys of the configs the leaders took
  // One per prior of priors_ when options_.prior_correction is enabled.
  std::vector<PriorCorrection> corrections_;
  // The unclaimed config with the lowest corrected score over the trusted priors, claimed;
  // nullopt when none is fitted or every config of theirs is claimed.
  std::optional<Config> corrected_pick();
};

}  // namespace tuna::search
