#pragma once
// Differential evolution on value indices: each generation, every member of the population gets
// a trial config, a mutant a + F·(b − c) of three other members crossed over with it, snapped
// and repaired onto the valid space; a trial that is at least as fast replaces its member.
#include <deque>
#include <random>
#include <unordered_map>

#include "search/population.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct DifferentialEvolutionOptions {
  std::uint64_t seed = 0;
  // Members; the first generation is this many random configs.
  std::size_t population = 12;
  // Scale of the difference vector (F), in value-index steps.
  double mutation = 0.7;
  // Probability that a parameter comes from the mutant rather than the member (CR).
  double crossover = 0.6;
  // Mutate around the best member (DE/best/1) instead of a random one (DE/rand/1): faster to
  // converge, less robust on spaces with several basins.
  bool from_best = true;
};

class DifferentialEvolution : public Strategy {
 public:
  DifferentialEvolution(const Space& space, DifferentialEvolutionOptions options);
  std::string name() const override { return "differential_evolution"; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  void next_generation();
  std::optional<Config> trial_for(std::size_t slot);
  std::size_t pick_other(std::initializer_list<std::size_t> not_these);

  const Space& space_;
  DifferentialEvolutionOptions options_;
  std::mt19937_64 rng_;
  History history_;
  std::vector<std::size_t> members_;                    // history entries
  std::unordered_map<std::string, std::size_t> trial_slot_;  // trial key -> member slot
  std::deque<Config> queue_;
  bool seeded_ = false;
};

}  // namespace tuna::search
