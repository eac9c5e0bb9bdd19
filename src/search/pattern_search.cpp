#include "search/pattern_search.hpp"

#include <algorithm>
#include <cmath>

namespace tuna::search {

PatternSearch::PatternSearch(const Space& space, PatternSearchOptions options)
    : space_(space), options_(options), rng_(options.seed), history_(space) {}

std::vector<Config> PatternSearch::propose(std::size_t n) {
  return take_batch(n, queue_, [this] { next_generation(); }, space_, rng_, history_);
}

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
    for (std::size_t i = history_.size(); i < options_.initial_samples; ++i) {
      std::optional<Config> c = claim_random(space_, rng_, history_);
      if (!c) break;
      queue_.push_back(std::move(*c));
    }
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

}  // namespace tuna::search
