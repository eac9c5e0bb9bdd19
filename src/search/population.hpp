#pragma once
// What the model-free strategies share: the history of what was measured, scored as a cost
// where every failure ranks below every success, and moves between configs as value indices.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {

// How far above the worst success a failure's cost sits (in log-time units: e^1 ~ 2.7x
// slower). A failure is information ("not here"), never a crash and never an optimum.
inline constexpr double kFailurePenalty = 1.0;

// Costs are log(median time), so that a given speed-up counts the same on any scale.
class History {
 public:
  struct Entry {
    Config config;
    std::string key;
    bool ok = false;
    double log_time = 0;  // meaningful when ok
  };

  explicit History(const Space& space) : space_(&space) {}

  // True the first time a key is claimed; strategies claim what they propose so nothing is
  // proposed twice, and observed results claim their keys too.
  bool claim(const std::string& key) { return claimed_.insert(key).second; }
  bool claimed(const std::string& key) const { return claimed_.count(key) > 0; }
  std::size_t claimed_count() const { return claimed_.size(); }

  // Records results (each key once; a repeated key keeps the first measurement). Returns the
  // indices into entries() of the new ones.
  std::vector<std::size_t> record(const std::vector<Result>& results);

  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  double cost(const Entry& e) const { return e.ok ? e.log_time : failure_cost(); }
  double cost(std::size_t i) const { return cost(entries_[i]); }
  std::optional<double> cost_of(const std::string& key) const;
  std::optional<std::size_t> index_of(const std::string& key) const;
  // Worst success seen plus kFailurePenalty (kFailurePenalty when nothing succeeded yet).
  double failure_cost() const;
  bool any_ok() const { return ok_count_ > 0; }
  // Indices of the k lowest-cost entries, best first (ties: measured first).
  std::vector<std::size_t> best(std::size_t k) const;

  const Space& space() const { return *space_; }

 private:
  const Space* space_;
  std::unordered_set<std::string> claimed_;
  std::unordered_map<std::string, std::size_t> measured_;
  std::vector<Entry> entries_;
  std::size_t ok_count_ = 0;
  double worst_ok_ = 0;
};

// Value indices of a config, each value snapped to its parameter's list.
std::vector<std::size_t> to_indices(const Space& space, const Config& config);
Config from_indices(const Space& space, const std::vector<std::size_t>& indices);

// A valid config not claimed before, drawn uniformly at random and claimed. When many draws
// hit claimed configs (a nearly exhausted space) it scans the space for one; nullopt when
// every valid config is claimed.
std::optional<Config> claim_random(const Space& space, std::mt19937_64& rng, History& history);

// Claims random configs into `queue` until it holds `count` more than `already` (the members an
// initial design already has), or nothing is left to claim.
void queue_random(std::size_t already, std::size_t count, std::deque<Config>& queue,
                  const Space& space, std::mt19937_64& rng, History& history);

// A random unclaimed neighbour of `config` one parameter move away, claimed; nullopt when none
// is left (a converged population steps away from a member this way).
std::optional<Config> claim_random_neighbour(const Space& space, const Config& config,
                                             std::mt19937_64& rng, History& history);

// Up to n configs from a generation-based strategy's queue: `next_generation` refills the queue
// when it runs dry; when it brings nothing (every member waits for results, or the search has
// converged), a random unclaimed config keeps the run going and may seed the next generation.
// Fewer than n only when the space has no unclaimed config left.
std::vector<Config> take_batch(std::size_t n, std::deque<Config>& queue,
                               const std::function<void()>& next_generation, const Space& space,
                               std::mt19937_64& rng, History& history);

// `candidate` if it is valid, else its repair; claimed and returned when nobody claimed it
// before, nullopt otherwise.
std::optional<Config> claim_repaired(const Space& space, const Config& candidate,
                                     History& history);

// The unclaimed valid neighbours of `config` within `radius` parameter moves, in the Space's
// deterministic order.
std::vector<Config> unclaimed_neighbours(const Space& space, const Config& config, int radius,
                                         const History& history);

// What every generation-based strategy (pattern, differential evolution, genetic algorithm)
// keeps: what it measured and claimed, its random stream, and the queue of the generation being
// proposed. propose() hands out the queue and asks for the next generation when it runs dry
// (take_batch).
//
// Each of them can make its next generation while configs of the last one are still being
// measured, from the results in so far (pattern_search.cpp, differential_evolution.cpp,
// genetic_algorithm.cpp say how), so the run may ask for more before a batch ends and the
// devices never wait for a generation's slowest config (lookahead).
class GenerationalStrategy : public Strategy {
 public:
  std::vector<Config> propose(std::size_t n) final {
    return take_batch(n, queue_, [this] { next_generation(); }, space_, rng_, history_);
  }
  bool proposes_while_measuring() const override { return true; }

 protected:
  GenerationalStrategy(const Space& space, std::uint64_t seed)
      : space_(space), rng_(seed), history_(space) {}
  // Fills queue_ with the next generation's configs (claimed in history_), made from what has
  // been measured so far; may be called while earlier configs are still being measured. Leaves
  // it empty when it cannot make one yet (the initial design is still being measured: take_batch
  // then adds random configs to it) or the search has converged.
  virtual void next_generation() = 0;

  const Space& space_;
  std::mt19937_64 rng_;
  History history_;
  std::deque<Config> queue_;
};

}  // namespace tuna::search
