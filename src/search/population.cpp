#include "search/population.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tuna/errors.hpp"

namespace tuna::search {

namespace {

// Random draws that may hit claimed configs before claim_random falls back to a scan.
constexpr int kRandomAttempts = 64;

}  // namespace

std::vector<std::size_t> History::record(const std::vector<Result>& results) {
  std::vector<std::size_t> added;
  for (const Result& r : results) {
    std::string key = r.key.empty() ? space_->key(r.config) : r.key;
    claimed_.insert(key);
    if (measured_.count(key)) continue;
    Entry e;
    e.config = r.config;
    e.key = key;
    e.ok = r.ok() && r.median_ms > 0 && std::isfinite(r.median_ms);
    if (e.ok) {
      e.log_time = std::log(r.median_ms);
      worst_ok_ = ok_count_ == 0 ? e.log_time : std::max(worst_ok_, e.log_time);
      ++ok_count_;
    }
    measured_.emplace(key, entries_.size());
    added.push_back(entries_.size());
    entries_.push_back(std::move(e));
  }
  return added;
}

std::optional<double> History::cost_of(const std::string& key) const {
  auto it = measured_.find(key);
  if (it == measured_.end()) return std::nullopt;
  return cost(it->second);
}

std::optional<std::size_t> History::index_of(const std::string& key) const {
  auto it = measured_.find(key);
  if (it == measured_.end()) return std::nullopt;
  return it->second;
}

double History::failure_cost() const {
  return (ok_count_ ? worst_ok_ : 0.0) + kFailurePenalty;
}

std::vector<std::size_t> History::best(std::size_t k) const {
  std::vector<std::size_t> order(entries_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cost(a) < cost(b); });
  if (order.size() > k) order.resize(k);
  return order;
}

std::vector<std::size_t> to_indices(const Space& space, const Config& config) {
  const auto& params = space.params();
  TUNA_ASSERT(config.size() == params.size(), "config size does not match the space");
  std::vector<std::size_t> idx(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::ptrdiff_t at = params[i].index_of(config[i]);
    if (at < 0) {
      // Snap numbers to the nearest allowed value; anything else to the first.
      at = 0;
      if (config[i].is_number() && params[i].values.front().is_number()) {
        double v = config[i].as_double(), best = INFINITY;
        for (std::size_t j = 0; j < params[i].values.size(); ++j) {
          double d = std::abs(params[i].values[j].as_double() - v);
          if (d < best) best = d, at = static_cast<std::ptrdiff_t>(j);
        }
      }
    }
    idx[i] = static_cast<std::size_t>(at);
  }
  return idx;
}

Config from_indices(const Space& space, const std::vector<std::size_t>& indices) {
  const auto& params = space.params();
  std::vector<Value> values(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) values[i] = params[i].values[indices[i]];
  return Config(std::move(values));
}

std::optional<Config> claim_random(const Space& space, std::mt19937_64& rng, History& history) {
  for (int attempt = 0; attempt < kRandomAttempts; ++attempt) {
    Config c = space.random_valid(rng);
    if (history.claim(space.key(c))) return c;
  }
  // Nearly everything is claimed: the space is small enough to scan. Start the scan at a
  // random unclaimed position so a strategy's late proposals are not in enumeration order.
  std::vector<Config> left;
  space.enumerate([&](const Config& c) {
    if (!history.claimed(space.key(c))) left.push_back(c);
    return true;
  });
  if (left.empty()) return std::nullopt;
  Config pick = left[std::uniform_int_distribution<std::size_t>(0, left.size() - 1)(rng)];
  history.claim(space.key(pick));
  return pick;
}

void queue_random(std::size_t already, std::size_t count, std::deque<Config>& queue,
                  const Space& space, std::mt19937_64& rng, History& history) {
  for (std::size_t i = already; i < count; ++i) {
    std::optional<Config> c = claim_random(space, rng, history);
    if (!c) break;
    queue.push_back(std::move(*c));
  }
}

std::optional<Config> claim_random_neighbour(const Space& space, const Config& config,
                                             std::mt19937_64& rng, History& history) {
  std::vector<Config> moves = unclaimed_neighbours(space, config, 1, history);
  if (moves.empty()) return std::nullopt;
  Config pick = moves[std::uniform_int_distribution<std::size_t>(0, moves.size() - 1)(rng)];
  history.claim(space.key(pick));
  return pick;
}

std::optional<Config> claim_repaired(const Space& space, const Config& candidate,
                                     History& history) {
  std::optional<Config> valid =
      space.is_valid(candidate) ? std::optional<Config>(candidate) : space.repair(candidate);
  if (!valid || !history.claim(space.key(*valid))) return std::nullopt;
  return valid;
}

std::vector<Config> unclaimed_neighbours(const Space& space, const Config& config, int radius,
                                         const History& history) {
  std::vector<Config> out;
  for (Config& c : space.neighbours(config, radius))
    if (!history.claimed(space.key(c))) out.push_back(std::move(c));
  return out;
}

std::vector<Config> take_batch(std::size_t n, std::deque<Config>& queue,
                               const std::function<void()>& next_generation, const Space& space,
                               std::mt19937_64& rng, History& history) {
  std::vector<Config> batch;
  while (batch.size() < n) {
    if (queue.empty()) next_generation();
    if (queue.empty()) {
      std::optional<Config> c = claim_random(space, rng, history);
      if (!c) break;
      batch.push_back(std::move(*c));
      continue;
    }
    batch.push_back(std::move(queue.front()));
    queue.pop_front();
  }
  return batch;
}

}  // namespace tuna::search
