// Simulated annealing over the Space's neighbourhood: from the current config, measure a random
// unmeasured neighbour and move to it when it is faster, or when it is slower with probability
// exp(-Δ/T), Δ in log time; T cools with every measurement. When the best has not improved for
// a while the walk restarts from the best config, warmer again.
//
// Asked for several configs, or for more while some are still being measured (lookahead), the
// walk proposes further neighbours of where it stands now; each result moves it when it arrives,
// so the acceptance rule sees every measurement in the order measured and the devices need not
// wait for the walk's last step.
#include <algorithm>
#include <cmath>
#include <random>

#include "search/population.hpp"
#include "search/strategy_factories.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {
namespace {

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
  bool proposes_while_measuring() const override { return true; }

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

}  // namespace

SimulatedAnnealing::SimulatedAnnealing(const Space& space, SimulatedAnnealingOptions options)
    : space_(space),
      options_(options),
      rng_(options.seed),
      history_(space),
      temperature_(options.start_temperature) {}

std::vector<Config> SimulatedAnnealing::propose(std::size_t n) {
  std::vector<Config> batch;
  if (current_ && history_.size() >= options_.initial_samples) {
    const Config& from = history_.entries()[*current_].config;
    // Single-parameter moves first; when all are measured, two-parameter moves.
    for (int radius = 1; radius <= 2 && batch.size() < n; ++radius) {
      std::vector<Config> moves = unclaimed_neighbours(space_, from, radius, history_);
      std::shuffle(moves.begin(), moves.end(), rng_);
      for (Config& m : moves) {
        if (batch.size() >= n) break;
        history_.claim(space_.key(m));
        batch.push_back(std::move(m));
      }
    }
  }
  while (batch.size() < n) {
    std::optional<Config> c = claim_random(space_, rng_, history_);
    if (!c) break;
    batch.push_back(std::move(*c));
  }
  return batch;
}

void SimulatedAnnealing::observe(const std::vector<Result>& results) {
  for (std::size_t entry : history_.record(results)) step(entry);
}

void SimulatedAnnealing::step(std::size_t entry) {
  const double cost = history_.cost(entry);
  if (!best_ || cost < history_.cost(*best_)) {
    best_ = entry;
    since_best_ = 0;
  } else {
    ++since_best_;
  }
  if (history_.size() <= options_.initial_samples || !current_) {
    current_ = best_;  // still sampling the initial design: start from its best
    return;
  }
  const double delta = cost - history_.cost(*current_);
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  if (delta <= 0 || u < std::exp(-delta / temperature_)) current_ = entry;
  temperature_ = std::max(options_.min_temperature, temperature_ * options_.cooling);
  if (since_best_ >= options_.patience) {
    current_ = best_;
    temperature_ = std::max(options_.min_temperature, options_.start_temperature / 2);
    since_best_ = 0;
  }
}

std::unique_ptr<Strategy> make_simulated_annealing_strategy(const Space& space,
                                                            const StrategyOptions& options) {
  return with_prior_first(
      space, options,
      std::make_unique<SimulatedAnnealing>(space, SimulatedAnnealingOptions{options.seed}));
}

}  // namespace tuna::search
