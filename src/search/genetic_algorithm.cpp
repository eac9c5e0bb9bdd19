// Genetic algorithm: tournament selection, uniform crossover and per-parameter mutation on value
// indices, children repaired onto the valid space; the next population is the best of the
// parents and of everything measured since they were selected (elitist, so the best config found
// is never lost). A generation is bred whenever the previous one has been handed out, from what
// has been measured by then: asked for more while children are still being measured (lookahead),
// it breeds from the current population, and the children still out join a later selection
// when their results arrive, so the devices never wait for a generation to end.
#include <algorithm>
#include <deque>
#include <random>

#include "search/population.hpp"
#include "search/strategy_factories.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {
namespace {

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

class GeneticAlgorithm : public GenerationalStrategy {
 public:
  GeneticAlgorithm(const Space& space, GeneticAlgorithmOptions options);
  std::string name() const override { return "genetic_algorithm"; }
  void observe(const std::vector<Result>& results) override;

 private:
  void next_generation() override;
  void select_survivors();
  std::size_t tournament();
  std::optional<Config> make_child();
  void mutate(std::vector<std::size_t>& genes, bool force);

  GeneticAlgorithmOptions options_;
  std::vector<std::size_t> members_;  // history entries, fastest first
  std::size_t selected_ = 0;  // history entries before this one were considered for selection
  bool seeded_ = false;
};

}  // namespace

namespace {

// Children that repair onto a measured config are bred again this many times before one is
// taken from a parent's unmeasured neighbours.
constexpr int kChildAttempts = 8;

bool unordered(const Parameter& p) {
  return p.kind == ParamKind::Bool || !p.values.front().is_number();
}

}  // namespace

GeneticAlgorithm::GeneticAlgorithm(const Space& space, GeneticAlgorithmOptions options)
    : GenerationalStrategy(space, options.seed), options_(options) {
  options_.population = std::max<std::size_t>(options_.population, 2);
  options_.tournament = std::max<std::size_t>(options_.tournament, 1);
}

// Results join the pool of the next selection (select_survivors), whichever generation proposed
// them: children, random configs proposed while the first generation was measured, configs
// measured by someone else.
void GeneticAlgorithm::observe(const std::vector<Result>& results) { history_.record(results); }

void GeneticAlgorithm::select_survivors() {
  std::vector<std::size_t> pool = members_;
  for (std::size_t entry = selected_; entry < history_.size(); ++entry) pool.push_back(entry);
  selected_ = history_.size();
  std::stable_sort(pool.begin(), pool.end(), [&](std::size_t a, std::size_t b) {
    return history_.cost(a) < history_.cost(b);
  });
  if (pool.size() > options_.population) pool.resize(options_.population);
  members_ = std::move(pool);
}

void GeneticAlgorithm::next_generation() {
  if (!seeded_) {
    seeded_ = true;
    queue_random(history_.size(), options_.population, queue_, space_, rng_, history_);
    if (!queue_.empty()) return;
  }
  select_survivors();
  if (members_.size() < 2) return;  // the first generation is still being measured
  for (std::size_t i = 0; i < options_.population; ++i) {
    std::optional<Config> child = make_child();
    if (child) queue_.push_back(std::move(*child));
  }
}

std::size_t GeneticAlgorithm::tournament() {
  std::uniform_int_distribution<std::size_t> pick(0, members_.size() - 1);
  std::size_t winner = members_[pick(rng_)];
  for (std::size_t i = 1; i < options_.tournament; ++i) {
    std::size_t other = members_[pick(rng_)];
    if (history_.cost(other) < history_.cost(winner)) winner = other;
  }
  return winner;
}

void GeneticAlgorithm::mutate(std::vector<std::size_t>& genes, bool force) {
  const auto& params = space_.params();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::size_t forced =
      force ? std::uniform_int_distribution<std::size_t>(0, genes.size() - 1)(rng_) : genes.size();
  for (std::size_t j = 0; j < genes.size(); ++j) {
    const std::size_t count = params[j].values.size();
    if (count < 2 || (j != forced && unit(rng_) >= options_.mutation)) continue;
    if (unordered(params[j])) {
      std::size_t other = std::uniform_int_distribution<std::size_t>(0, count - 2)(rng_);
      genes[j] = other >= genes[j] ? other + 1 : other;
    } else if (genes[j] == 0) {
      genes[j] = 1;
    } else if (genes[j] + 1 == count || unit(rng_) < 0.5) {
      genes[j] -= 1;
    } else {
      genes[j] += 1;
    }
  }
}

std::optional<Config> GeneticAlgorithm::make_child() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::size_t first = members_.front();
  for (int attempt = 0; attempt < kChildAttempts; ++attempt) {
    first = tournament();
    std::size_t second = tournament();
    std::vector<std::size_t> genes = to_indices(space_, history_.entries()[first].config);
    bool mixed = false;
    if (first != second && unit(rng_) < options_.crossover) {
      auto other = to_indices(space_, history_.entries()[second].config);
      for (std::size_t j = 0; j < genes.size(); ++j) {
        if (unit(rng_) < 0.5 && genes[j] != other[j]) {
          genes[j] = other[j];
          mixed = true;
        }
      }
    }
    mutate(genes, !mixed);
    if (auto config = claim_repaired(space_, from_indices(space_, genes), history_)) return config;
  }
  return claim_random_neighbour(space_, history_.entries()[first].config, rng_, history_);
}

std::unique_ptr<Strategy> make_genetic_algorithm_strategy(const Space& space,
                                                          const StrategyOptions& options) {
  return with_prior_first(
      space, options,
      std::make_unique<GeneticAlgorithm>(space, GeneticAlgorithmOptions{options.seed}));
}

}  // namespace tuna::search
