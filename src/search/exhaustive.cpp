#include "search/exhaustive.hpp"

namespace tuna::search {

ExhaustiveStrategy::ExhaustiveStrategy(const Space& space) : space_(space) {}

std::vector<Config> ExhaustiveStrategy::propose(std::size_t n) {
  if (!enumerated_) {
    all_ = space_.enumerate_all();
    enumerated_ = true;
  }
  std::vector<Config> batch;
  while (batch.size() < n && next_ < all_.size()) {
    const Config& config = all_[next_++];
    if (seen_.insert(space_.key(config)).second) batch.push_back(config);
  }
  return batch;
}

void ExhaustiveStrategy::observe(const std::vector<Result>& results) {
  for (const Result& r : results) seen_.insert(r.key);
}

}  // namespace tuna::search
