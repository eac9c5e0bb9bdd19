#pragma once
// Simulated annealing over the Space's neighbourhood: from the current config, measure a random
// unmeasured neighbour and move to it when it is faster, or when it is slower with probability
// exp(-Δ/T), Δ in log time; T cools with every measurement. When the best has not improved for
// a while the walk restarts from the best config, warmer again.
#include <random>

#include "search/population.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct SimulatedAnnealingOptions {
  std::uint64_t seed = 0;
  // Random configs measured first; the walk starts from the best of them.
  std::size_t initial_samples = 5;
  // Starting temperature in log-time units: at 0.2 a move to a config 20 % slower is taken
  // about 40 % of the time.
  double start_temperature = 0.2;
  // Temperature factor per measurement, and its floor.
  double cooling = 0.97;
  double min_temperature = 0.002;
  // Measurements without a new best before the walk restarts from the best config.
  std::size_t patience = 25;
};

class SimulatedAnnealing : public Strategy {
 public:
  SimulatedAnnealing(const Space& space, SimulatedAnnealingOptions options);
  std::string name() const override { return "simulated_annealing"; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  void step(std::size_t entry);

  const Space& space_;
  SimulatedAnnealingOptions options_;
  std::mt19937_64 rng_;
  History history_;
  std::optional<std::size_t> current_;
  std::optional<std::size_t> best_;
  double temperature_;
  std::size_t since_best_ = 0;
};

}  // namespace tuna::search
