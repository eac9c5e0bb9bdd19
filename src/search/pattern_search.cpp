// Pattern search, after Helion's: measure a random initial design, then run a few independent
// hill-climbing copies from the best configs. Each generation a copy measures every unmeasured
// config one parameter step away from its centre and moves to the best of them; a copy that no
// longer improves stops, and a new copy restarts from the best config not yet used as a centre.
//
// A copy moves only once all its candidates are measured. Asked for more while every copy still
// waits for some (lookahead: the devices would otherwise wait for the slowest candidate), the
// search speculates: a waiting copy whose candidates measured so far already hold a better
// centre forks a copy there, which polls that centre's neighbours at once (the likely next
// generation); with no such lead, a copy restarts from the best unused centre. When the waiting
// copy's candidates are all in, it moves as before, or retires when its fork already went there.
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
    bool forked = false;                // this generation has forked a copy at its lead
  };

  void next_generation() override;
  void advance_copies();
  void poll_idle_copies();
  void speculate();
  bool poll(Copy& copy);
  bool waiting(const Copy& copy) const;
  std::optional<std::size_t> best_candidate(const Copy& copy) const;
  bool improves(std::size_t candidate, std::size_t centre) const;
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

bool PatternSearch::waiting(const Copy& copy) const {
  for (const std::string& key : copy.proposed)
    if (!history_.index_of(key)) return true;
  return false;
}

std::optional<std::size_t> PatternSearch::best_candidate(const Copy& copy) const {
  std::optional<std::size_t> best;
  for (const std::string& key : copy.proposed) {
    std::optional<std::size_t> at = history_.index_of(key);
    if (at && (!best || history_.cost(*at) < history_.cost(*best))) best = at;
  }
  return best;
}

// A move needs cost(candidate) < cost(centre) + log(1 - min_improvement).
bool PatternSearch::improves(std::size_t candidate, std::size_t centre) const {
  return history_.cost(candidate) < history_.cost(centre) + std::log1p(-options_.min_improvement);
}

// Copies whose candidates are all measured move to the best of them, or stop.
void PatternSearch::advance_copies() {
  std::vector<Copy> kept;
  for (Copy& copy : copies_) {
    if (copy.proposed.empty() || waiting(copy)) {
      kept.push_back(std::move(copy));
      continue;
    }
    std::optional<std::size_t> best = best_candidate(copy);
    copy.proposed.clear();
    copy.forked = false;
    if (!best || !improves(*best, copy.centre)) continue;
    // Another copy climbs from there already (this one's fork, or a restart).
    if (!used_centres_.insert(history_.entries()[*best].key).second) continue;
    copy.centre = *best;
    kept.push_back(std::move(copy));
  }
  copies_ = std::move(kept);
}

std::optional<std::size_t> PatternSearch::restart_centre() {
  for (std::size_t i : history_.best(history_.size())) {
    if (used_centres_.insert(history_.entries()[i].key).second) return i;
  }
  return std::nullopt;
}

// Queues the unmeasured neighbours of the copy's centre as its candidates; false when there are
// none (the copy has converged).
bool PatternSearch::poll(Copy& copy) {
  std::vector<Config> moves = unclaimed_neighbours(space_, history_.entries()[copy.centre].config,
                                                   options_.radius, history_);
  if (moves.empty()) return false;
  std::shuffle(moves.begin(), moves.end(), rng_);
  for (Config& m : moves) {
    std::string key = space_.key(m);
    history_.claim(key);
    copy.proposed.push_back(std::move(key));
    queue_.push_back(std::move(m));
  }
  return true;
}

// Gives every copy without candidates its next ones, restarting copies up to options_.copies.
void PatternSearch::poll_idle_copies() {
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
      if (!copy.proposed.empty() || poll(copy)) {
        kept.push_back(std::move(copy));
      } else {
        retired = true;  // converged: every neighbour is measured
      }
    }
    copies_ = std::move(kept);
    if (!retired || copies_.size() >= options_.copies) break;
  }
}

// Every copy waits for candidates still being measured: start a copy where the next generation
// probably is, so there is work for the devices. Nothing when no centre is left to use (then
// take_batch proposes a random config).
void PatternSearch::speculate() {
  for (std::size_t i = 0; i < copies_.size(); ++i) {
    if (copies_[i].forked) continue;
    std::optional<std::size_t> lead = best_candidate(copies_[i]);
    if (!lead || !improves(*lead, copies_[i].centre)) continue;
    if (!used_centres_.insert(history_.entries()[*lead].key).second) continue;
    copies_[i].forked = true;
    Copy fork{*lead, {}};
    if (poll(fork)) {
      copies_.push_back(std::move(fork));
      return;
    }
  }
  // No lead yet: explore from the best config not used as a centre.
  while (std::optional<std::size_t> centre = restart_centre()) {
    Copy restart{*centre, {}};
    if (poll(restart)) {
      copies_.push_back(std::move(restart));
      return;
    }
  }
}

void PatternSearch::next_generation() {
  if (!initialised_) {
    initialised_ = true;
    queue_random(history_.size(), options_.initial_samples, queue_, space_, rng_, history_);
    if (!queue_.empty()) return;
  }
  // Copies start from the best of the whole initial design: started from the first few results
  // (lookahead asks before they are all in) they climb from worse centres. Until then
  // take_batch adds random configs to the design.
  if (history_.size() < options_.initial_samples) return;
  advance_copies();
  poll_idle_copies();
  if (queue_.empty()) speculate();
}

std::unique_ptr<Strategy> make_pattern_strategy(const Space& space,
                                                const StrategyOptions& options) {
  return with_prior_first(
      space, options, std::make_unique<PatternSearch>(space, PatternSearchOptions{options.seed}));
}

}  // namespace tuna::search
