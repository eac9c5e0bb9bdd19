#include "search/prior_first.hpp"

#include <algorithm>

namespace tuna::search {

PriorLeaders::PriorLeaders(const Space& space,
                           const std::vector<std::shared_ptr<const Prior>>& priors)
    : space_(space), has_switches_(!space.switches().empty()) {
  for (const auto& p : priors)
    if (p && !p->empty()) priors_.push_back(p);
  position_.assign(priors_.size(), 0);
  given_.assign(priors_.size(), {});
}

std::optional<PriorEntry> PriorLeaders::next_of(
    std::size_t prior, const std::function<bool(const std::string&)>& claimed) {
  const std::vector<PriorEntry>& ranked = priors_[prior]->ranked();
  auto available = [&](std::size_t i) {
    return !claimed(ranked[i].key) && space_.is_valid(ranked[i].config);
  };
  std::size_t& at = position_[prior];
  while (at < ranked.size() && !available(at)) ++at;
  if (at >= ranked.size()) return std::nullopt;
  std::vector<std::vector<Value>>& given = given_[prior];
  std::size_t pick = at;
  if (!given.empty() && has_switches_) {
    auto unlike_given = [&](std::size_t i) {
      return std::find(given.begin(), given.end(), space_.switch_settings(ranked[i].config)) ==
             given.end();
    };
    for (std::size_t i = at; i < ranked.size(); ++i)
      if (unlike_given(i) && available(i)) {  // the cheaper test first
        pick = i;
        break;
      }
  }
  given.push_back(space_.switch_settings(ranked[pick].config));
  if (pick == at) ++at;  // one picked further down is skipped later as claimed
  return ranked[pick];
}

std::optional<PriorEntry> PriorLeaders::next(
    const std::function<bool(const std::string&)>& claimed) {
  for (std::size_t tried = 0; tried < priors_.size(); ++tried) {
    const std::size_t p = turn_;
    turn_ = (turn_ + 1) % priors_.size();
    if (std::optional<PriorEntry> lead = next_of(p, claimed)) return lead;
  }
  return std::nullopt;
}

namespace {

class PriorFirst final : public Strategy {
 public:
  PriorFirst(const Space& space, const StrategyOptions& options, std::unique_ptr<Strategy> inner,
             std::size_t leaders)
      : space_(space), leaders_(space, options.priors), inner_(std::move(inner)), left_(leaders) {}

  std::string name() const override { return inner_->name(); }
  bool proposes_while_measuring() const override { return inner_->proposes_while_measuring(); }

  std::vector<Config> propose(std::size_t n) override {
    std::vector<Config> batch;
    while (left_ > 0 && batch.size() < n) {
      std::optional<PriorEntry> lead =
          leaders_.next([this](const std::string& key) { return seen_.count(key) > 0; });
      if (!lead) {
        left_ = 0;
        break;
      }
      --left_;
      seen_.insert(lead->key);
      led_.insert(lead->key);
      batch.push_back(std::move(lead->config));
    }
    if (batch.size() < n) add_from_inner(batch, n);
    return batch;
  }

  void observe(const std::vector<Result>& results) override {
    for (const Result& r : results) seen_.insert(r.key);
    inner_->observe(results);
  }

 private:
  // The wrapped strategy does not know which configs the leaders claimed until their results
  // arrive, so it may propose one still being measured: such proposals are dropped, and it is
  // asked again a bounded number of times.
  void add_from_inner(std::vector<Config>& batch, std::size_t n) {
    for (int attempt = 0; attempt < 4 && batch.size() < n; ++attempt) {
      std::vector<Config> more = inner_->propose(n - batch.size());
      if (more.empty()) return;
      for (Config& c : more) {
        if (led_.count(space_.key(c))) continue;
        batch.push_back(std::move(c));
      }
    }
  }

  const Space& space_;
  PriorLeaders leaders_;
  std::unique_ptr<Strategy> inner_;
  std::size_t left_;
  std::unordered_set<std::string> seen_;  // proposed by the leaders or observed
  std::unordered_set<std::string> led_;   // proposed by the leaders
};

}  // namespace

std::unique_ptr<Strategy> with_prior_first(const Space& space, const StrategyOptions& options,
                                           std::unique_ptr<Strategy> inner, std::size_t leaders) {
  if (options.priors.empty() || leaders == 0) return inner;
  return std::make_unique<PriorFirst>(space, options, std::move(inner), leaders);
}

}  // namespace tuna::search
