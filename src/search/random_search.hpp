#pragma once
// Random search: valid configs drawn uniformly without replacement. Small spaces are enumerated
// and shuffled (exactly uniform); large ones sampled through Space::random_valid.
#include <random>
#include <unordered_set>

#include "tuna/strategy.hpp"

namespace tuna::search {

struct RandomSearchOptions {
  std::uint64_t seed = 0;
  // Spaces with at most this many grid points are enumerated and shuffled.
  double enumerate_below = 2e6;
  // Draws that hit an already seen config before the strategy declares the space exhausted.
  int max_duplicate_draws = 1000;
};

class RandomSearch : public Strategy {
 public:
  RandomSearch(const Space& space, RandomSearchOptions options);
  std::string name() const override { return "random"; }
  bool proposes_while_measuring() const override { return true; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  std::optional<Config> draw();

  const Space& space_;
  RandomSearchOptions options_;
  std::mt19937_64 rng_;
  bool shuffled_mode_ = false;
  std::vector<Config> shuffled_;
  std::size_t next_ = 0;
  std::unordered_set<std::string> seen_;
};

}  // namespace tuna::search
