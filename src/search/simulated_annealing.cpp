#include "search/simulated_annealing.hpp"

#include <algorithm>
#include <cmath>

namespace tuna::search {

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

}  // namespace tuna::search
