#include "search/surrogate.hpp"

#include <algorithm>
#include <cmath>

#include "search/strategy_factories.hpp"
#include "search/surrogate_relink.hpp"

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

SurrogateSearch::SurrogateSearch(const Space& space, SurrogateOptions options,
                                 std::vector<std::shared_ptr<const Prior>> priors)
    : space_(space),
      options_(options),
      features_(space, options.alignment_features),
      rng_(options.seed),
      history_(space),
      priors_(priors, options.prior),
      leaders_(space, priors) {
  if (!options_.prior_correction.enabled) return;
  // The features by value: the corrections must not point back into this object.
  const PriorCorrection::Features inputs = with_choice_indicators(space_, features_);
  for (const auto& prior : priors_.priors()) corrections_.emplace_back(prior, inputs);
}

void SurrogateSearch::observe(const std::vector<Result>& results) {
  const bool had_ok = history_.any_ok();
  const std::size_t added = history_.record(results).size();
  if (!history_.any_ok()) return;
  const double best = history_.cost(history_.best(1).front());
  if (!had_ok || best < best_cost_) {
    since_improvement_ = 0;
    best_cost_ = best;
  } else {
    since_improvement_ += added;
  }
}

std::optional<Config> SurrogateSearch::next_random() {
  return claim_random(space_, rng_, history_);
}

const std::vector<double>& SurrogateSearch::with_prior_inputs(const Candidate& c,
                                                              std::vector<double>& scratch) const {
  scratch.assign(c.x.begin(), c.x.end());
  priors_.append_features(c.key, scratch);
  return scratch;
}

SurrogateSearch::Candidate SurrogateSearch::make_candidate(Config c, std::string key) const {
  std::vector<double> x = features_(c);
  return Candidate{std::move(c), std::move(key), std::move(x)};
}

// The initial design: the priors' leaders first (PriorLeaders), then random ones.
std::optional<Config> SurrogateSearch::next_initial() {
  if (led_ < options_.prior_leaders) {
    std::optional<PriorEntry> lead =
        leaders_.next([this](const std::string& key) { return history_.claimed(key); });
    if (lead) {
      ++led_;
      history_.claim(lead->key);
      leader_keys_.insert(lead->key);
      return std::move(lead->config);
    }
    led_ = options_.prior_leaders;  // no prior, or every prior exhausted
  }
  return next_random();
}

void SurrogateSearch::refit() {
  if (fitted_on_ == history_.size()) return;
  priors_.judge(history_);
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  x.reserve(history_.size());
  const bool forget_leaders =
      options_.forget_leaders_after && history_.size() >= options_.forget_leaders_after;
  for (const auto& e : history_.entries()) {
    if (forget_leaders && leader_keys_.count(e.key)) continue;
    std::vector<double> row = features_(e.config);
    priors_.append_features(e.key, row);
    x.push_back(std::move(row));
    y.push_back(history_.cost(e));
  }
  if (options_.top_fraction > 0) {
    // Label the best fraction 0 and the rest 1: the forest's mean is then the chance of
    // missing the top, whatever the scale of the times.
    std::vector<double> sorted = y;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t k = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::ceil(options_.top_fraction * y.size())), 1, y.size());
    const double cut = sorted[k - 1];
    for (double& v : y) v = v <= cut ? 0.0 : 1.0;
  }
  forest_.fit(x, y, options_.forest, rng_);
  for (std::size_t i = 0; i < corrections_.size(); ++i)
    if (priors_.trusted(i))
      corrections_[i].fit(history_, options_.prior_correction.forest, rng_,
                          options_.prior_correction.min_rows);
  fitted_on_ = history_.size();
  fitted_rows_ = y.size();
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
  for (std::size_t draw = 0;
       draw < 2 * options_.random_candidates && random_pool_.size() < options_.random_candidates;
       ++draw) {
    Config c = space_.random_valid(rng_);
    std::string key = space_.key(c);
    if (history_.claimed(key) || !keys.insert(key).second) continue;
    random_pool_.push_back(make_candidate(std::move(c), std::move(key)));
  }
}

void SurrogateSearch::add_crossovers(std::vector<Candidate>& out,
                                     std::unordered_set<std::string>& keys) {
  std::vector<std::size_t> parents;
  for (std::size_t i : history_.best(2 * options_.top_configs))
    if (history_.entries()[i].ok) parents.push_back(i);
  if (parents.size() < 2) return;
  std::uniform_int_distribution<std::size_t> pick(0, parents.size() - 1);
  std::bernoulli_distribution coin(0.5);
  for (std::size_t n = 0; n < options_.crossover_candidates; ++n) {
    const std::size_t a = pick(rng_), b = pick(rng_);
    if (a == b) continue;
    Config child = history_.entries()[parents[a]].config;
    const Config& other = history_.entries()[parents[b]].config;
    for (std::size_t p = 0; p < child.size(); ++p)
      if (coin(rng_)) child[p] = other[p];
    if (!space_.is_valid(child)) continue;
    std::string key = space_.key(child);
    if (history_.claimed(key) || !keys.insert(key).second) continue;
    out.push_back(make_candidate(std::move(child), std::move(key)));
  }
}

void SurrogateSearch::add_prior_candidates(std::vector<Candidate>& out,
                                           std::unordered_set<std::string>& keys) {
  for (const PriorEntry* e : priors_.candidates(history_)) {
    if (!keys.insert(e->key).second) continue;
    out.push_back(make_candidate(e->config, e->key));
  }
}

std::vector<SurrogateSearch::Candidate> SurrogateSearch::stalled_candidates() {
  std::vector<Candidate> out;
  if (!options_.stall_patience || since_improvement_ < options_.stall_patience) return out;
  const History::Entry& best = history_.entries()[history_.best(1).front()];
  if (!best.ok) return out;
  for (Config& c : unclaimed_neighbours(space_, best.config, 1, history_)) {
    std::string key = space_.key(c);
    out.push_back(make_candidate(std::move(c), std::move(key)));
  }
  return out;
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
      out.push_back(make_candidate(std::move(c), std::move(key)));
    }
  }
  if (options_.crossover_candidates) add_crossovers(out, keys);
  add_prior_candidates(out, keys);
  for (const Candidate& c : random_pool_)
    if (!keys.count(c.key)) out.push_back(c);
  return out;
}

std::optional<Config> SurrogateSearch::corrected_pick() {
  const double exploration = options_.prior_correction.exploration_at(history_.size());
  std::optional<PriorCorrection::Pick> best;
  for (std::size_t i = 0; i < corrections_.size(); ++i) {
    if (!priors_.trusted(i) || !corrections_[i].fitted() ||
        !priors_.agrees_beyond(i, options_.prior_correction.agreement_z))
      continue;
    // Corrected predictions are log times of this device, so priors compare by them.
    std::optional<PriorCorrection::Pick> pick =
        corrections_[i].best_unclaimed(history_, exploration);
    if (pick && (!best || pick->score < best->score)) best = pick;
  }
  if (!best) return std::nullopt;
  history_.claim(best->entry->key);
  return best->entry->config;
}

template <typename Score>
std::optional<Config> SurrogateSearch::best_relink(const Score& score_of) {
  std::optional<Candidate> pick;
  double pick_score = 0;
  for (Config& c : relink_moves(space_, history_, options_.relink)) {
    std::string key = space_.key(c);
    Candidate candidate = make_candidate(std::move(c), std::move(key));
    const double score = score_of(candidate);
    if (!pick || score < pick_score) {
      pick = std::move(candidate);
      pick_score = score;
    }
  }
  if (!pick) return std::nullopt;
  history_.claim(pick->key);
  return std::move(pick->config);
}

std::vector<Config> SurrogateSearch::propose(std::size_t n) {
  std::vector<Config> batch;
  auto add = [&](std::optional<Config> c) {
    if (!c) return false;
    batch.push_back(std::move(*c));
    return true;
  };
  auto add_random = [&] { return add(next_random()); };
  // The initial design; then random picks while nothing has run correctly, since the model
  // has no success to aim for.
  // Claimed counts configs still being measured too (the driver may ask before they finish).
  while (batch.size() < n && history_.claimed_count() < options_.initial_samples)
    if (!add(next_initial())) return batch;
  if (!history_.any_ok()) {
    while (batch.size() < n)
      if (!add_random()) break;
  }
  if (batch.size() >= n) return batch;

  refit();
  std::vector<Candidate> pool = stalled_candidates();
  const bool stalled = !pool.empty();
  if (!stalled) pool = candidates();
  const double best = history_.cost(history_.best(1).front());
  const std::size_t tree =
      forest_.size() ? std::uniform_int_distribution<std::size_t>(0, forest_.size() - 1)(rng_) : 0;
  // Only a prior that counts adds inputs; otherwise the candidates' features are used as they
  // are, without a copy per candidate.
  const bool priors_count = priors_.trusted_count() > 0;
  std::vector<double> scratch;
  // Lower is better: the optimistic prediction, or minus the expected improvement.
  auto score_of = [&](const Candidate& c) {
    const std::vector<double>& x = priors_count ? with_prior_inputs(c, scratch) : c.x;
    RegressionForest::Prediction p = forest_.predict(x);
    if (stalled) return p.mean;
    if (options_.acquisition == Acquisition::ExpectedImprovement)
      // With the classifier the best label is 0 (in the top fraction).
      return -expected_improvement(p, options_.top_fraction > 0 ? 0.0 : best);
    if (options_.acquisition == Acquisition::Thompson)
      // One tree's prediction, with the forest's mean as a small tie-breaker among the many
      // candidates that share one leaf.
      return forest_.predict_tree(x, tree) + 1e-3 * p.mean;
    return p.mean - options_.exploration * p.stddev;
  };
  std::vector<std::pair<double, std::size_t>> ranked;
  ranked.reserve(pool.size());
  for (std::size_t i = 0; i < pool.size(); ++i)
    ranked.emplace_back(score_of(pool[i]), i);  // ties keep candidate order: deterministic
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t next = 0;
  while (batch.size() < n) {
    ++proposals_;
    if (!stalled && options_.random_every && proposals_ % options_.random_every == 0) {
      if (!add_random()) break;
      continue;
    }
    if (!stalled && priors_count) {
      std::optional<Config> corrected = corrected_pick();
      if (corrected) {
        batch.push_back(std::move(*corrected));
        continue;
      }
    }
    if (!stalled && options_.relink_every && proposals_ % options_.relink_every == 0) {
      std::optional<Config> relink = best_relink(score_of);
      if (relink) {
        batch.push_back(std::move(*relink));
        continue;
      }
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

std::unique_ptr<Strategy> make_surrogate_strategy(const Space& space,
                                                  const StrategyOptions& options) {
  SurrogateOptions surrogate;
  surrogate.seed = options.seed;
  return std::make_unique<SurrogateSearch>(space, surrogate, options.priors);
}

}  // namespace tuna::search
