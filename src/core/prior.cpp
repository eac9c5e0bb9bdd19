#include "tuna/prior.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace tuna {

namespace {

// Average ranks (ties share the mean of their positions), as Spearman's coefficient wants.
std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mean = 0.5 * static_cast<double>(i + j);
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = mean;
    i = j + 1;
  }
  return rank;
}

}  // namespace

Prior::Prior(std::string label, std::vector<PriorEntry> entries) : label_(std::move(label)) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const PriorEntry& a, const PriorEntry& b) { return a.time_ms < b.time_ms; });
  for (PriorEntry& e : entries) {
    if (!std::isfinite(e.time_ms) || index_.count(e.key)) continue;  // the fastest was kept
    index_.emplace(e.key, ranked_.size());
    ranked_.push_back(std::move(e));
  }
}

const PriorEntry* Prior::find(const std::string& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &ranked_[it->second];
}

double Prior::rank_fraction(const std::string& key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return 1.5;
  if (ranked_.size() < 2) return 0.0;
  return static_cast<double>(it->second) / static_cast<double>(ranked_.size() - 1);
}

Prior with_times_shuffled(const Prior& prior, std::uint64_t seed) {
  std::vector<PriorEntry> entries = prior.ranked();
  std::vector<double> times;
  for (const PriorEntry& e : entries) times.push_back(e.time_ms);
  std::mt19937_64 rng(seed);
  std::shuffle(times.begin(), times.end(), rng);
  for (std::size_t i = 0; i < entries.size(); ++i) entries[i].time_ms = times[i];
  return Prior(prior.label() + " (times shuffled)", std::move(entries));
}

double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n < 3) return 0.0;
  const std::vector<double> ra = average_ranks({a.begin(), a.begin() + n});
  const std::vector<double> rb = average_ranks({b.begin(), b.begin() + n});
  const double mean = 0.5 * static_cast<double>(n - 1);
  double cov = 0, va = 0, vb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (va == 0 || vb == 0) return 0.0;  // one side all ties: no order to agree with
  return cov / std::sqrt(va * vb);
}

PriorAgreement prior_agreement(const Prior& prior, const std::vector<Result>& results) {
  std::vector<double> there, here;
  for (const Result& r : results) {
    if (!r.ok()) continue;
    const PriorEntry* e = prior.find(r.key);
    if (!e) continue;
    there.push_back(e->time_ms);
    here.push_back(r.median_ms);
  }
  return PriorAgreement{there.size(), spearman_correlation(there, here)};
}

}  // namespace tuna
