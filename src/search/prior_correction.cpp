#include "search/prior_correction.hpp"

#include <algorithm>
#include <cmath>

namespace tuna::search {

namespace {
// A recorded time of 0 (a clock too coarse for the kernel) would make its log minus infinity.
double log_ms(double ms) { return std::log(std::max(ms, 1e-9)); }
}  // namespace

PriorCorrection::PriorCorrection(std::shared_ptr<const Prior> prior, Features features)
    : prior_(std::move(prior)), features_(std::move(features)) {
  log_times_.reserve(prior_->size());
  for (const PriorEntry& e : prior_->ranked()) log_times_.push_back(log_ms(e.time_ms));
}

bool PriorCorrection::fit(const History& history, const ForestOptions& options,
                          std::mt19937_64& rng, std::size_t min_rows) {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (const History::Entry& e : history.entries()) {
    if (!e.ok) continue;
    const PriorEntry* there = prior_->find(e.key);
    if (!there) continue;
    x.push_back(features_(e.config));
    y.push_back(e.log_time - log_ms(there->time_ms));
  }
  if (x.size() < std::max<std::size_t>(min_rows, 1)) {
    forest_ = RegressionForest{};
    return false;
  }
  forest_.fit(x, y, options, rng);
  if (inputs_.empty()) {
    width_ = x.front().size();
    inputs_.reserve(width_ * prior_->size());
    for (const PriorEntry& e : prior_->ranked()) {
      const std::vector<double> row = features_(e.config);
      inputs_.insert(inputs_.end(), row.begin(), row.end());
    }
  }
  return true;
}

std::optional<PriorCorrection::Pick> PriorCorrection::best_unclaimed(const History& history,
                                                                     double exploration) const {
  if (!forest_.fitted()) return std::nullopt;
  std::optional<Pick> best;
  const std::vector<PriorEntry>& entries = prior_->ranked();
  const RegressionForest::Bounds bounds = forest_.bounds();
  // No entry scores below its log time plus this; the entries come fastest first, so once that
  // cannot beat the best score found, no later entry can.
  const double lowest_correction = bounds.mean_low - exploration * bounds.spread_high;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (best && log_times_[i] + lowest_correction >= best->score) break;
    const RegressionForest::Prediction p = forest_.predict(&inputs_[i * width_]);
    const double score = log_times_[i] + p.mean - exploration * p.stddev;
    // Whether it was measured is asked only of an entry that would win: most do not.
    if ((!best || score < best->score) && !history.claimed(entries[i].key))
      best = Pick{&entries[i], score};
  }
  return best;
}

PriorCorrection::Features with_choice_indicators(const Space& space,
                                                 PriorCorrection::Features base) {
  std::vector<std::pair<std::size_t, Parameter>> choices;  // position in the config, parameter
  const std::vector<Parameter>& params = space.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::vector<Value>& values = params[i].values;
    const bool names = std::all_of(values.begin(), values.end(),
                                   [](const Value& v) { return v.is_string(); });
    if (names && values.size() >= 3 && values.size() <= 16) choices.emplace_back(i, params[i]);
  }
  if (choices.empty()) return base;
  return [base = std::move(base), choices = std::move(choices)](const Config& c) {
    std::vector<double> x = base(c);
    for (const auto& [at, param] : choices) {
      const std::ptrdiff_t chosen = param.index_of(c[at]);
      for (std::ptrdiff_t v = 0; v < static_cast<std::ptrdiff_t>(param.values.size()); ++v)
        x.push_back(chosen == v ? 1.0 : 0.0);
    }
    return x;
  };
}

}  // namespace tuna::search
