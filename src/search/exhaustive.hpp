#pragma once
// Exhaustive: every valid config, in the Space's enumeration order. For small spaces, and as the
// ground truth other strategies are measured against.
#include <functional>
#include <unordered_set>

#include "tuna/strategy.hpp"

namespace tuna::search {

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

}  // namespace tuna::search
