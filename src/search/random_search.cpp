#include "search/random_search.hpp"

#include <algorithm>

#include "search/strategy_factories.hpp"

namespace tuna::search {

RandomSearch::RandomSearch(const Space& space, RandomSearchOptions options)
    : space_(space), options_(options), rng_(options.seed) {
  if (space_.grid_size() <= options_.enumerate_below) {
    shuffled_mode_ = true;
    shuffled_ = space_.enumerate_all();
    std::shuffle(shuffled_.begin(), shuffled_.end(), rng_);
  }
}

std::optional<Config> RandomSearch::draw() {
  if (shuffled_mode_) {
    while (next_ < shuffled_.size()) {
      const Config& c = shuffled_[next_++];
      if (seen_.insert(space_.key(c)).second) return c;
    }
    return std::nullopt;
  }
  for (int attempt = 0; attempt < options_.max_duplicate_draws; ++attempt) {
    Config c = space_.random_valid(rng_);
    if (seen_.insert(space_.key(c)).second) return c;
  }
  return std::nullopt;  // nearly every draw repeats: the space is as good as exhausted
}

std::vector<Config> RandomSearch::propose(std::size_t n) {
  std::vector<Config> batch;
  while (batch.size() < n) {
    std::optional<Config> c = draw();
    if (!c) break;
    batch.push_back(std::move(*c));
  }
  return batch;
}

void RandomSearch::observe(const std::vector<Result>& results) {
  for (const Result& r : results) seen_.insert(r.key);
}

std::unique_ptr<Strategy> make_random_strategy(const Space& space, const StrategyOptions& options) {
  return with_prior_first(space, options,
                          std::make_unique<RandomSearch>(space, RandomSearchOptions{options.seed}));
}

}  // namespace tuna::search
