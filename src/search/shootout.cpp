#include "search/shootout.hpp"

#include <algorithm>

namespace tuna::search {

std::vector<Result> run_shootout(Evaluator& evaluator, const std::vector<Result>& finalists,
                                 int rounds, const TimingOptions& timing) {
  std::vector<Result> pooled = finalists;
  std::vector<Config> configs;
  for (Result& r : pooled) {
    configs.push_back(r.config);
    r.times_ms.clear();
  }
  // Each round gets a share of the per-config timing budget, so the shootout costs about as much
  // as timing every finalist once more.
  TimingOptions round_timing = timing;
  round_timing.budget_ms = timing.budget_ms / std::max(1, rounds);
  round_timing.min_repetitions = std::max(1, timing.min_repetitions / std::max(1, rounds));
  for (int round = 0; round < rounds; ++round) {
    std::vector<Result> timed = evaluator.retime(configs, round_timing);
    for (std::size_t i = 0; i < pooled.size(); ++i) {
      if (!pooled[i].ok()) continue;
      if (!timed[i].ok()) {
        pooled[i] = timed[i];
        continue;
      }
      pooled[i].times_ms.insert(pooled[i].times_ms.end(), timed[i].times_ms.begin(),
                                timed[i].times_ms.end());
      pooled[i].finished_at = timed[i].finished_at;
      pooled[i].device = timed[i].device;  // every round runs on the same (first) device
    }
  }
  for (Result& r : pooled) {
    if (r.ok()) r.median_ms = median_of(r.times_ms);
  }
  std::stable_sort(pooled.begin(), pooled.end(), [](const Result& a, const Result& b) {
    if (a.ok() != b.ok()) return a.ok();
    return a.median_ms < b.median_ms;
  });
  return pooled;
}

}  // namespace tuna::search
