#include "search/surrogate_prior.hpp"

#include <cmath>

namespace tuna::search {

SurrogatePriors::SurrogatePriors(std::vector<std::shared_ptr<const Prior>> priors,
                                 SurrogatePriorOptions options)
    : options_(options) {
  for (auto& p : priors)
    if (p && !p->empty()) priors_.push_back(std::move(p));
  trusted_.assign(priors_.size(), false);
  agreement_.assign(priors_.size(), {});
}

void SurrogatePriors::judge(const History& history) {
  for (std::size_t i = 0; i < priors_.size(); ++i) {
    std::vector<double> there, here;
    for (const History::Entry& e : history.entries()) {
      if (!e.ok) continue;
      const PriorEntry* p = priors_[i]->find(e.key);
      if (!p) continue;
      there.push_back(p->time_ms);
      here.push_back(e.log_time);
    }
    agreement_[i] = {spearman_correlation(there, here), there.size()};
    trusted_[i] = agrees(agreement_[i].spearman, agreement_[i].compared, options_.chance_z);
  }
}

double SurrogatePriorOptions::agreement_needed(std::size_t compared, double z) const {
  // Spearman's coefficient of n unrelated pairs has a standard deviation of 1/sqrt(n-1), so a
  // correlation of z/sqrt(n-1) arises by chance about 5% of the time for z = 1.645, 1% for 2.326.
  const double chance = z / std::sqrt(static_cast<double>(std::max<std::size_t>(compared, 2) - 1));
  return std::max(min_agreement, chance);
}

bool SurrogatePriors::agrees(double spearman, std::size_t compared, double z) const {
  if (compared < options_.judge_after) return false;
  return spearman >= options_.agreement_needed(compared, z);
}

bool SurrogatePriors::agrees_beyond(std::size_t prior, double z) const {
  return agrees(agreement_[prior].spearman, agreement_[prior].compared, z);
}

std::size_t SurrogatePriors::trusted_count() const {
  std::size_t n = 0;
  for (bool t : trusted_) n += t;
  return n;
}

void SurrogatePriors::append_features(const std::string& key, std::vector<double>& x) const {
  for (std::size_t i = 0; i < priors_.size(); ++i)
    if (trusted_[i]) x.push_back(priors_[i]->rank_fraction(key));
}

std::vector<const PriorEntry*> SurrogatePriors::candidates(const History& history) const {
  std::vector<const PriorEntry*> out;
  for (std::size_t i = 0; i < priors_.size(); ++i) {
    if (!trusted_[i]) continue;
    std::size_t taken = 0;
    for (const PriorEntry& e : priors_[i]->ranked()) {
      if (taken == options_.candidates) break;
      if (history.claimed(e.key)) continue;
      out.push_back(&e);
      ++taken;
    }
  }
  return out;
}

}  // namespace tuna::search
