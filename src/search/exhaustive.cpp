// Exhaustive: every valid config, in the Space's enumeration order. For small spaces, and as the
// ground truth other strategies are measured against.
#include <functional>
#include <unordered_set>

#include "search/strategy_factories.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {
namespace {

class ExhaustiveStrategy : public Strategy {
 public:
  explicit ExhaustiveStrategy(const Space& space);
  std::string name() const override { return "exhaustive"; }
  bool proposes_while_measuring() const override { return true; }
  std::vector<Config> propose(std::size_t n) override;
  void observe(const std::vector<Result>& results) override;

 private:
  const Space& space_;
  std::vector<Config> all_;  // enumerated once, lazily
  bool enumerated_ = false;
  std::size_t next_ = 0;
  std::unordered_set<std::string> seen_;
};

}  // namespace

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

std::unique_ptr<Strategy> make_exhaustive_strategy(
    const Space& space, const StrategyOptions& /*options: enumeration order, no prior*/) {
  return std::make_unique<ExhaustiveStrategy>(space);
}

}  // namespace tuna::search
