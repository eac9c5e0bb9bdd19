#pragma once
// The exact expectation of random search on a recorded space, from its sorted times: the
// sanity line of `tuna compare`. Random search draws configs uniformly without replacement
// from the `total` valid configs, of which the successes have the times in `sorted_ok`
// (ascending); a failure costs an evaluation and improves nothing.
#include <cstddef>
#include <vector>

namespace tuna::search {

// E[t_opt / t_best] after k draws (a run that drew no success scores 0).
double random_search_expected_score(const std::vector<double>& sorted_ok, std::size_t total,
                                    std::size_t k);

// E[number of draws until the first config with t_opt / t >= fraction]: (total + 1) / (g + 1)
// for g such configs.
double random_search_expected_evals(const std::vector<double>& sorted_ok, std::size_t total,
                                    double fraction);

}  // namespace tuna::search

namespace tuna::search {

// Evaluations until the first config with t_opt / t >= fraction, counted as `cap` when more
// are needed (the censoring `tuna compare` applies to strategies), and the probability of
// needing at most `cap`.
struct RandomReach {
  double mean_capped_evals = 0;
  double probability = 0;
};
RandomReach random_search_reach(const std::vector<double>& sorted_ok, std::size_t total,
                                double fraction, std::size_t cap);

}  // namespace tuna::search
