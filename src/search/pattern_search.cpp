// Pattern search, after Helion's: measure a random initial design, then run a few independent
// hill-climbing copies from the best configs. Each generation a copy measures every unmeasured
// config one parameter step away from its centre and moves to the best of them; a copy that no
// longer improves stops, and a new copy restarts from the best config not yet used as a centre.
#include <algorithm>
#include <cmath>
#include <deque>
#include <random>

#include "search/population.hpp"
#include "search/strategy_factories.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {
namespace {

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

class PatternSearch : public GenerationalStrategy {
 public:
  PatternSearch(const Space& space, PatternSearchOptions options);
  std::string name() const override { return "pattern"; }
  void observe(const std::vector<Result>& results) override;

 private:
  struct Copy {
    std::size_t centre = 0;             // index into history entries
    std::vector<std::string> proposed;  // this generation's candidates
  };

  void next_generation() override;
  void advance_copies();
  std::optional<std::size_t> restart_centre();

  PatternSearchOptions options_;
  std::vector<Copy> copies_;
  std::unordered_set<std::string> used_centres_;
  bool initialised_ = false;
};

}  // namespace

PatternSearch::PatternSearch(const Space& space, PatternSearchOptions options)
    : GenerationalStrategy(space, options.seed), options_(options) {}

void PatternSearch::observe(const std::vector<Result>& results) { history_.record(results); }

void PatternSearch::advance_copies() {
  // A move needs cost(candidate) < cost(centre) + log(1 - min_improvement).
  const double needed = std::log1p(-options_.min_improvement);
  std::vector<Copy> kept;
  for (Copy& copy : copies_) {
    if (copy.proposed.empty()) {
      kept.push_back(std::move(copy));
      continue;
    }
    std::optional<std::size_t> best;
    for (const std::string& key : copy.proposed) {
      std::optional<std::size_t> at = history_.index_of(key);
      if (at && (!best || history_.cost(*at) < history_.cost(*best))) best = at;
    }
    copy.proposed.clear();
    if (best && history_.cost(*best) < history_.cost(copy.centre) + needed) {
      copy.centre = *best;
      used_centres_.insert(history_.entries()[*best].key);
      kept.push_back(std::move(copy));
    }
  }
  copies_ = std::move(kept);
}

std::optional<std::size_t> PatternSearch::restart_centre() {
  for (std::size_t i : history_.best(history_.size())) {
    if (used_centres_.insert(history_.entries()[i].key).second) return i;
  }
  return std::nullopt;
}

void PatternSearch::next_generation() {
  if (!initialised_) {
    initialised_ = true;
    queue_random(history_.size(), options_.initial_samples, queue_, space_, rng_, history_);
    if (!queue_.empty()) return;
  }
  advance_copies();
  // Each pass either gives a copy candidates or retires it; restarts are bounded by the
  // number of measured configs, each usable as a centre once.
  for (std::size_t guard = 0; guard <= history_.size(); ++guard) {
    while (copies_.size() < options_.copies) {
      std::optional<std::size_t> centre = restart_centre();
      if (!centre) break;
      copies_.push_back(Copy{*centre, {}});
    }
    bool retired = false;
    std::vector<Copy> kept;
    for (Copy& copy : copies_) {
      if (!copy.proposed.empty()) {
        kept.push_back(std::move(copy));
        continue;
      }
      std::vector<Config> moves = unclaimed_neighbours(
          space_, history_.entries()[copy.centre].config, options_.radius, history_);
      if (moves.empty()) {
        retired = true;  // converged: every neighbour is measured
        continue;
      }
      std::shuffle(moves.begin(), moves.end(), rng_);
      for (Config& m : moves) {
        std::string key = space_.key(m);
        history_.claim(key);
        copy.proposed.push_back(std::move(key));
        queue_.push_back(std::move(m));
      }
      kept.push_back(std::move(copy));
    }
    copies_ = std::move(kept);
    if (!retired || copies_.size() >= options_.copies) break;
  }
}

std::unique_ptr<Strategy> make_pattern_strategy(const Space& space,
                                                const StrategyOptions& options) {
  return with_prior_first(
      space, options, std::make_unique<PatternSearch>(space, PatternSearchOptions{options.seed}));
}

}  // namespace tuna::search
