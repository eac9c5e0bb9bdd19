#pragma once
// Genetic algorithm: tournament selection, uniform crossover and per-parameter mutation on value
// indices, children repaired onto the valid space; the next population is the best of parents
// and children together (elitist, so the best config found is never lost).
#include <deque>
#include <random>

#include "search/population.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct GeneticAlgorithmOptions {
  std::uint64_t seed = 0;
  // Members per generation; the first generation is this many random configs.
  std::size_t population = 12;
  // Members drawn per tournament; the fastest of them becomes a parent.
  std::size_t tournament = 3;
  // Probability that a child mixes two parents (else it copies one before mutation).
  double crossover = 0.8;
  // Probability per parameter of a mutation (one step in its value list, or any other value
  // for strings and bools). At least one parameter of a child that equals a parent mutates.
  double mutation = 0.15;
};

class GeneticAlgorithm : public Strategy {
 public:
  GeneticAlgorithm(const Space& space, GeneticAlgorithmOptions options);
  std::string name() const override { return "genetic_algorithm"; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  void next_generation();
  void select_survivors();
  std::size_t tournament();
  std::optional<Config> make_child();
  void mutate(std::vector<std::size_t>& genes, bool force);

  const Space& space_;
  GeneticAlgorithmOptions options_;
  std::mt19937_64 rng_;
  History history_;
  std::vector<std::size_t> members_;      // history entries
  std::vector<std::string> children_;     // keys proposed in the current generation
  std::deque<Config> queue_;
  bool seeded_ = false;
};

}  // namespace tuna::search
