#pragma once
// Strategy: ask/tell over batches. A strategy sees the Space and the Results fed back to it,
// nothing else, which is what lets the simulation backend replace the device.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tuna/prior.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna {

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // Up to `n` valid configs this strategy has not proposed or observed before. An empty batch
  // means the strategy has nothing more to propose (the run ends).
  virtual std::vector<Config> propose(std::size_t n) = 0;
  // Results of configs measured (proposed by this strategy or not: reused ones, the default).
  virtual void observe(const std::vector<Result>& results) = 0;
  // Whether propose() may be called while configs it proposed are still being measured, so the
  // driver can ask for more as soon as the pipeline has room instead of waiting for the whole
  // batch (the devices then never idle between batches). Say yes only when the proposals made
  // with results pending are as good as those made after them (each of tuna's model-free
  // strategies does so, docs/strategies.md "Keeping the device busy"); a strategy that would
  // fill the wait with random configs should say no.
  virtual bool proposes_while_measuring() const { return false; }
};

struct StrategyOptions {
  std::string name = "auto";
  std::uint64_t seed = 0;
  // What the same kernel measured elsewhere (tuna/prior.hpp). The surrogate ranks its first
  // proposals by them and learns from them as long as they agree with this run; the other
  // strategies measure the fastest few first (docs/priors.md). Empty: no prior.
  std::vector<std::shared_ptr<const Prior>> priors{};
};

// Names accepted by make_strategy, with a one-line description each.
std::vector<std::pair<std::string, std::string>> strategy_names();
// Throws UserError listing the known names for an unknown one.
std::unique_ptr<Strategy> make_strategy(const StrategyOptions& options, const Space& space);

}  // namespace tuna
