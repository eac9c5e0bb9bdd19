#include "search/surrogate.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace tuna::search {

namespace {

// Expected improvement of a prediction over `best` when minimising.
double expected_improvement(const RegressionForest::Prediction& p, double best) {
  const double gain = best - p.mean;
  // A floor on the spread keeps configs the trees agree on comparable by their mean.
  const double sigma = std::max(p.stddev, 1e-6);
  const double z = gain / sigma;
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
  return gain * cdf + sigma * pdf;
}

}  // namespace

SurrogateSearch::SurrogateSearch(const Space& space, SurrogateOptions options)
    : space_(space), options_(options), rng_(options.seed), history_(space) {}

void SurrogateSearch::observe(const std::vector<Result>& results) { history_.record(results); }

std::optional<Config> SurrogateSearch::next_random() {
  return claim_random(space_, rng_, history_);
}

void SurrogateSearch::refit() {
  if (fitted_on_ == history_.size()) return;
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  x.reserve(history_.size());
  for (const auto& e : history_.entries()) {
    x.push_back(space_.encode(e.config));
    y.push_back(history_.cost(e));
  }
  forest_.fit(x, y, options_.forest, rng_);
  fitted_on_ = history_.size();
}

void SurrogateSearch::top_up_random_pool() {
  // Drop what was claimed since; draw new samples once half the pool is gone. Keeping the
  // samples (and their encodings) between proposals saves most of the cost of drawing.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < random_pool_.size(); ++i) {
    if (history_.claimed(random_pool_[i].key)) continue;
    if (i != kept) random_pool_[kept] = std::move(random_pool_[i]);
    ++kept;
  }
  random_pool_.resize(kept);
  if (random_pool_.size() * 2 > options_.random_candidates) return;
  std::unordered_set<std::string> keys;
  for (const Candidate& c : random_pool_) keys.insert(c.key);
  // Bounded: a nearly exhausted space yields fewer new samples than asked for.
  for (std::size_t draw = 0; draw < 2 * options_.random_candidates &&
                             random_pool_.size() < options_.random_candidates;
       ++draw) {
    Config c = space_.random_valid(rng_);
    std::string key = space_.key(c);
    if (history_.claimed(key) || !keys.insert(key).second) continue;
    std::vector<double> x = space_.encode(c);
    random_pool_.push_back(Candidate{std::move(c), std::move(key), std::move(x)});
  }
}

std::vector<SurrogateSearch::Candidate> SurrogateSearch::candidates() {
  top_up_random_pool();
  std::vector<Candidate> out;
  std::unordered_set<std::string> keys;
  std::vector<std::size_t> top = history_.best(options_.top_configs);
  for (std::size_t rank = 0; rank < top.size(); ++rank) {
    if (!history_.entries()[top[rank]].ok) break;
    int radius = rank == 0 ? options_.best_radius : 1;
    for (Config& c : space_.neighbours(history_.entries()[top[rank]].config, radius)) {
      std::string key = space_.key(c);
      if (history_.claimed(key) || !keys.insert(key).second) continue;
      std::vector<double> x = space_.encode(c);
      out.push_back(Candidate{std::move(c), std::move(key), std::move(x)});
    }
  }
  for (const Candidate& c : random_pool_)
    if (!keys.count(c.key)) out.push_back(c);
  return out;
}

std::vector<Config> SurrogateSearch::propose(std::size_t n) {
  std::vector<Config> batch;
  auto add_random = [&] {
    std::optional<Config> c = next_random();
    if (!c) return false;
    batch.push_back(std::move(*c));
    return true;
  };
  // The initial design; then random picks while nothing has run correctly, since the model
  // has no success to aim for.
  while (batch.size() < n && history_.size() + batch.size() < options_.initial_samples)
    if (!add_random()) return batch;
  if (!history_.any_ok()) {
    while (batch.size() < n)
      if (!add_random()) break;
  }
  if (batch.size() >= n) return batch;

  refit();
  std::vector<Candidate> pool = candidates();
  std::vector<std::pair<double, std::size_t>> ranked;
  ranked.reserve(pool.size());
  const double best = history_.cost(history_.best(1).front());
  for (std::size_t i = 0; i < pool.size(); ++i) {
    RegressionForest::Prediction p = forest_.predict(pool[i].x);
    // Lower is better: the optimistic prediction, or minus the expected improvement.
    double score = options_.acquisition == Acquisition::ExpectedImprovement
                       ? -expected_improvement(p, best)
                       : p.mean - options_.exploration * p.stddev;
    ranked.emplace_back(score, i);  // ties keep candidate order, so runs are deterministic
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t next = 0;
  while (batch.size() < n) {
    ++proposals_;
    if (options_.random_every && proposals_ % options_.random_every == 0) {
      if (!add_random()) break;
      continue;
    }
    // Skip candidates an earlier random pick in this batch claimed.
    while (next < ranked.size() && history_.claimed(pool[ranked[next].second].key)) ++next;
    if (next >= ranked.size()) {
      if (!add_random()) break;
      continue;
    }
    Candidate& pick = pool[ranked[next++].second];
    history_.claim(pick.key);
    batch.push_back(std::move(pick.config));
  }
  return batch;
}

}  // namespace tuna::search
