// Differential evolution on value indices: every member of the population gets trial configs,
// each a mutant a + F·(b − c) of three other members crossed over with it, snapped and repaired
// onto the valid space; a trial that is at least as fast replaces its member.
//
// Asynchronous (steady state): trials are made one at a time, for the members in turn, from the
// population as it is when the trial is asked for, and each is judged against its member when
// its result arrives, whatever else is still being measured. A member may so have several trials
// out at once; each replaces the member it finds there if it is at least as fast. Asked for more
// before earlier trials are back (lookahead), the search keeps the devices busy with trials from
// the freshest population instead of waiting for a generation's slowest config. Against
// generations made whole, this is as good one config at a time and better with many in flight
// (docs/strategies.md, "Keeping the device busy").
#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <unordered_map>

#include "search/population.hpp"
#include "search/strategy_factories.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {
namespace {

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

class DifferentialEvolution : public GenerationalStrategy {
 public:
  DifferentialEvolution(const Space& space, DifferentialEvolutionOptions options);
  std::string name() const override { return "differential_evolution"; }
  void observe(const std::vector<Result>& results) override;

 private:
  void next_generation() override;
  std::optional<Config> trial_for(std::size_t slot);
  std::size_t pick_other(std::initializer_list<std::size_t> not_these);

  DifferentialEvolutionOptions options_;
  std::vector<std::size_t> members_;                         // history entries
  std::unordered_map<std::string, std::size_t> trial_slot_;  // trial key -> member slot
  bool seeded_ = false;
  std::size_t cursor_ = 0;  // the member whose turn it is to get a trial
};

}  // namespace

namespace {

// Repairs that land on a config measured before are retried with a fresh mutant this many
// times before the trial falls back to a neighbour of its member.
constexpr int kTrialAttempts = 8;

}  // namespace

DifferentialEvolution::DifferentialEvolution(const Space& space,
                                             DifferentialEvolutionOptions options)
    : GenerationalStrategy(space, options.seed), options_(options) {
  options_.population = std::max<std::size_t>(options_.population, 4);
}

void DifferentialEvolution::observe(const std::vector<Result>& results) {
  for (std::size_t entry : history_.record(results)) {
    const std::string& key = history_.entries()[entry].key;
    auto it = trial_slot_.find(key);
    if (it != trial_slot_.end()) {
      std::size_t slot = it->second;
      trial_slot_.erase(it);
      if (history_.cost(entry) <= history_.cost(members_[slot])) members_[slot] = entry;
    } else if (members_.size() < options_.population) {
      members_.push_back(entry);  // the initial design, or a config measured elsewhere
    }
  }
}

void DifferentialEvolution::next_generation() {
  if (!seeded_) {
    seeded_ = true;
    queue_random(members_.size(), options_.population, queue_, space_, rng_, history_);
    if (!queue_.empty()) return;
  }
  if (members_.size() < 4) return;  // the initial design is still being measured
  // One trial, for the next member that can still get one (a member whose mutants and
  // neighbours are all measured cannot).
  for (std::size_t tries = 0; tries < members_.size() && queue_.empty(); ++tries) {
    std::size_t slot = cursor_++ % members_.size();
    std::optional<Config> trial = trial_for(slot);
    if (!trial) continue;
    trial_slot_[space_.key(*trial)] = slot;
    queue_.push_back(std::move(*trial));
  }
}

std::size_t DifferentialEvolution::pick_other(std::initializer_list<std::size_t> not_these) {
  std::uniform_int_distribution<std::size_t> pick(0, members_.size() - 1);
  while (true) {
    std::size_t s = pick(rng_);
    if (std::find(not_these.begin(), not_these.end(), s) == not_these.end()) return s;
  }
}

std::optional<Config> DifferentialEvolution::trial_for(std::size_t slot) {
  const auto& params = space_.params();
  std::size_t best_slot = 0;
  for (std::size_t s = 1; s < members_.size(); ++s)
    if (history_.cost(members_[s]) < history_.cost(members_[best_slot])) best_slot = s;
  const auto target = to_indices(space_, history_.entries()[members_[slot]].config);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 0; attempt < kTrialAttempts; ++attempt) {
    std::size_t a = options_.from_best && best_slot != slot ? best_slot : pick_other({slot});
    std::size_t b = pick_other({slot, a});
    std::size_t c = pick_other({slot, a, b});
    const auto ia = to_indices(space_, history_.entries()[members_[a]].config);
    const auto ib = to_indices(space_, history_.entries()[members_[b]].config);
    const auto ic = to_indices(space_, history_.entries()[members_[c]].config);
    std::vector<std::size_t> trial = target;
    std::size_t forced = std::uniform_int_distribution<std::size_t>(0, params.size() - 1)(rng_);
    for (std::size_t j = 0; j < params.size(); ++j) {
      if (j != forced && unit(rng_) >= options_.crossover) continue;
      double v = static_cast<double>(ia[j]) +
                 options_.mutation * (static_cast<double>(ib[j]) - static_cast<double>(ic[j]));
      double hi = static_cast<double>(params[j].values.size() - 1);
      trial[j] = static_cast<std::size_t>(std::clamp(std::round(v), 0.0, hi));
    }
    if (auto config = claim_repaired(space_, from_indices(space_, trial), history_)) return config;
  }
  // The mutants keep landing on measured configs (a converged population): step away from
  // the member instead.
  return claim_random_neighbour(space_, history_.entries()[members_[slot]].config, rng_, history_);
}

std::unique_ptr<Strategy> make_differential_evolution_strategy(const Space& space,
                                                               const StrategyOptions& options) {
  return with_prior_first(
      space, options,
      std::make_unique<DifferentialEvolution>(space, DifferentialEvolutionOptions{options.seed}));
}

}  // namespace tuna::search
