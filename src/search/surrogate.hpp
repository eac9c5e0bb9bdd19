#pragma once
// Surrogate-guided search: after a random initial design, a random forest trained on every
// measurement (encoded config -> log time, failures at a penalty above the worst success)
// ranks candidates before any of them is measured. Candidates are the unmeasured neighbours of
// the best configs plus random valid samples; the one with the highest expected improvement
// over the best time is measured next, so the search both exploits the model and explores
// where the trees disagree.
#include <random>

#include "search/population.hpp"
#include "search/surrogate_forest.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

enum class Acquisition { LowerConfidenceBound, ExpectedImprovement };

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
};

class SurrogateSearch : public Strategy {
 public:
  SurrogateSearch(const Space& space, SurrogateOptions options);
  std::string name() const override { return "surrogate"; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  struct Candidate {
    Config config;
    std::string key;
    std::vector<double> x;  // Space::encode(config)
  };

  void refit();
  void top_up_random_pool();
  std::vector<Candidate> candidates();
  std::optional<Config> next_random();

  const Space& space_;
  SurrogateOptions options_;
  std::mt19937_64 rng_;
  History history_;
  RegressionForest forest_;
  std::size_t fitted_on_ = 0;  // history size at the last fit
  std::size_t proposals_ = 0;
  std::vector<Candidate> random_pool_;
};

}  // namespace tuna::search
