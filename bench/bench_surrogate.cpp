// What the surrogate search costs to think: the time of each propose() (refit the forest,
// rank the candidates) over a run of 100 and 200 evaluations on the recorded CLBlast GEMM space
// (17,956 valid configs), without a prior, with one that misleads (the recording's times shuffled:
// judged, and rarely counts) and with one that counts (the recording's times each scaled by a
// random factor, as another device's would differ: then every proposal ranks the prior's
// unmeasured configs by their corrected times, PriorCorrection). Target (issue 15): the surrogate's time
// under 5% of a 100-evaluation run whose configs cost 100 ms each, i.e. under 500 ms in all.
// Evaluations are replays of the recording (instant), so only the strategy is timed.
//
//   build/bench/bench_surrogate [RECORDING] [RUNS]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "search/surrogate.hpp"
#include "store/recorded_space.hpp"
#include "tuna/errors.hpp"
#include "tuna/prior.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
  std::vector<double> propose_ms;  // every propose() of every run
  double total_ms = 0;             // summed over the run, mean over runs
};

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

Timing time_runs(const tuna::sim::RecordedSpace& recorded, std::size_t evals, int runs,
                 const std::vector<std::shared_ptr<const tuna::Prior>>& priors) {
  Timing t;
  for (int seed = 1; seed <= runs; ++seed) {
    tuna::search::SurrogateOptions o;
    o.seed = static_cast<std::uint64_t>(seed);
    tuna::search::SurrogateSearch s(recorded.space, o, priors);
    std::mt19937_64 rng(seed);
    for (std::size_t e = 0; e < evals; ++e) {
      const auto t0 = Clock::now();
      std::vector<tuna::Config> batch = s.propose(1);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (batch.empty()) break;
      t.propose_ms.push_back(ms);
      t.total_ms += ms / runs;
      s.observe({tuna::sim::replay(recorded, batch[0], tuna::sim::ReplayNoise::Median, rng)});
    }
  }
  return t;
}

enum class PriorKind { None, Shuffled, Related };

// The recording as a prior: its times shuffled among its configs, or each multiplied by
// exp(N(0, 0.3)), a related device whose ranks agree with this one's (Spearman about 0.9).
std::shared_ptr<const tuna::Prior> prior_of(const tuna::sim::RecordedSpace& recorded,
                                            PriorKind kind) {
  std::vector<tuna::PriorEntry> entries;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> log_factor(0.0, 0.3);
  for (const auto& rc : recorded.configs)
    if (rc.status == tuna::Status::Ok)
      entries.push_back({rc.config, rc.key, rc.time_ms * std::exp(log_factor(rng))});
  tuna::Prior prior("the same recording", std::move(entries));
  if (kind == PriorKind::Shuffled) prior = tuna::with_times_shuffled(prior, 1);
  return std::make_shared<const tuna::Prior>(std::move(prior));
}

const char* name_of(PriorKind kind) {
  switch (kind) {
    case PriorKind::None: return "none";
    case PriorKind::Shuffled: return "shuffled";
    case PriorKind::Related: return "related";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string file =
      argc > 1 ? argv[1]
               : "../shared/datasets/"
                 "benchmark_hub__currently_unused__KernelTuner_data__gemm__RTX_3090.json.gz";
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const tuna::sim::RecordedSpace recorded = tuna::sim::load_recorded_space(file);
  std::size_t valid = 0;
  for (const auto& rc : recorded.configs) valid += recorded.space.is_valid(rc.config);
  fmt::print("space: {} ({} valid configs), {} runs per row, seeds 1..{}\n", recorded.name, valid,
             runs, runs);
  fmt::print("{:<12} {:>6} {:>12} {:>12} {:>12} {:>14} {:>22}\n", "prior", "evals", "mean ms",
             "p95 ms", "max ms", "run total ms", "of evals x 100 ms");
  for (PriorKind kind : {PriorKind::None, PriorKind::Shuffled, PriorKind::Related}) {
    std::vector<std::shared_ptr<const tuna::Prior>> priors;
    if (kind != PriorKind::None) priors.push_back(prior_of(recorded, kind));
    for (std::size_t evals : {100, 200}) {
      Timing t = time_runs(recorded, evals, runs, priors);
      double mean = 0;
      for (double ms : t.propose_ms) mean += ms / static_cast<double>(t.propose_ms.size());
      fmt::print("{:<12} {:>6} {:>12.3f} {:>12.3f} {:>12.3f} {:>14.1f} {:>21.2f}%\n",
                 name_of(kind), evals, mean, percentile(t.propose_ms, 0.95),
                 percentile(t.propose_ms, 1.0), t.total_ms,
                 100.0 * t.total_ms / (100.0 * static_cast<double>(evals)));
    }
  }
  return 0;
} catch (const tuna::UserError& e) {
  fmt::print(stderr, "bench_surrogate: {}\n", e.what());
  return 1;
}
