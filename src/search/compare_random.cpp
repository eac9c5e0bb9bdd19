#include "search/compare_random.hpp"

#include <algorithm>

#include "tuna/errors.hpp"

namespace tuna::search {

double random_search_expected_score(const std::vector<double>& sorted_ok, std::size_t total,
                                    std::size_t k) {
  TUNA_ASSERT(sorted_ok.size() <= total, "more successes than configs");
  if (sorted_ok.empty() || k == 0) return 0;
  k = std::min(k, total);
  const double t_opt = sorted_ok.front();
  const double n = static_cast<double>(total);
  const double kd = static_cast<double>(k);
  // Rank every config, successes by time then failures. P(the best drawn has rank >= i) is
  // C(n-i+1, k) / C(n, k); `tail` holds it for the current i, updated by its ratio.
  double tail = 1.0;  // i = 1
  double expected = 0;
  for (std::size_t i = 1; i <= sorted_ok.size(); ++i) {
    const double m = n - static_cast<double>(i) + 1;  // configs of rank >= i
    // P(rank >= i+1) / P(rank >= i) = C(m-1, k) / C(m, k) = (m - k) / m.
    const double next_tail = m > kd ? tail * (m - kd) / m : 0.0;
    expected += (tail - next_tail) * (t_opt / sorted_ok[i - 1]);
    tail = next_tail;
    if (tail <= 0) break;
  }
  return expected;
}

double random_search_expected_evals(const std::vector<double>& sorted_ok, std::size_t total,
                                    double fraction) {
  TUNA_ASSERT(sorted_ok.size() <= total, "more successes than configs");
  if (sorted_ok.empty()) return 0;
  const double limit = sorted_ok.front() / fraction;
  // A tiny tolerance so that a config exactly at the fraction counts as reaching it.
  const auto good = static_cast<double>(
      std::upper_bound(sorted_ok.begin(), sorted_ok.end(), limit * (1 + 1e-12)) -
      sorted_ok.begin());
  return (static_cast<double>(total) + 1) / (good + 1);
}

}  // namespace tuna::search

namespace tuna::search {

RandomReach random_search_reach(const std::vector<double>& sorted_ok, std::size_t total,
                                double fraction, std::size_t cap) {
  RandomReach out;
  if (sorted_ok.empty()) {
    out.mean_capped_evals = static_cast<double>(cap);
    return out;
  }
  const double limit = sorted_ok.front() / fraction;
  const auto good = static_cast<double>(
      std::upper_bound(sorted_ok.begin(), sorted_ok.end(), limit * (1 + 1e-12)) -
      sorted_ok.begin());
  const double n = static_cast<double>(total);
  // E[min(X, cap)] = sum over j < cap of P(X > j); P(X > j) is the chance that the first j
  // draws all miss the good configs.
  double miss = 1.0;  // P(X > 0)
  for (std::size_t j = 0; j < cap; ++j) {
    out.mean_capped_evals += miss;
    const double left = n - static_cast<double>(j);
    miss = left > good ? miss * (left - good) / left : 0.0;
  }
  out.probability = 1.0 - miss;  // miss is now P(X > cap)
  return out;
}

}  // namespace tuna::search
