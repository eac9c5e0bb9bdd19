#pragma once
// Pattern search, after Helion's: measure a random initial design, then run a few independent
// hill-climbing copies from the best configs. Each generation a copy measures every unmeasured
// config one parameter step away from its centre and moves to the best of them; a copy that no
// longer improves stops, and a new copy restarts from the best config not yet used as a centre.
#include <deque>
#include <random>

#include "search/population.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

struct PatternSearchOptions {
  std::uint64_t seed = 0;
  // Random configs measured before the first move (fewer when results were observed already).
  std::size_t initial_samples = 10;
  // Hill-climbing copies running at once.
  std::size_t copies = 2;
  // A move must make the centre at least this much faster (relative), else the copy stops.
  double min_improvement = 0.001;
  // Parameters changed at once in a move (Helion: 1).
  int radius = 1;
};

class PatternSearch : public Strategy {
 public:
  PatternSearch(const Space& space, PatternSearchOptions options);
  std::string name() const override { return "pattern"; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  struct Copy {
    std::size_t centre = 0;             // index into history entries
    std::vector<std::string> proposed;  // this generation's candidates
  };

  void next_generation();
  void advance_copies();
  std::optional<std::size_t> restart_centre();

  const Space& space_;
  PatternSearchOptions options_;
  std::mt19937_64 rng_;
  History history_;
  std::deque<Config> queue_;
  std::vector<Copy> copies_;
  std::unordered_set<std::string> used_centres_;
  bool initialised_ = false;
};

}  // namespace tuna::search
