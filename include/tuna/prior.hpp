#pragma once
// A prior: what was measured for the same kernel somewhere else (another device, another
// problem, an earlier version of the spec), expressed in this run's Space. Searches use it to
// rank their first proposals and as one more input of their model, never as truth: how well it
// agrees with what this run measures decides how much it counts (docs/priors.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna {

struct PriorEntry {
  Config config;
  std::string key;  // Space::key(config) of this run's Space
  double time_ms = 0;
};

class Prior {
 public:
  // `label` says where the prior came from, for the summary and the report ("A100.json.gz",
  // "store: NVIDIA A100, problem 4096x4096"). Entries are configs valid in this run's Space that
  // ran correctly there; several entries of one key keep the fastest.
  Prior(std::string label, std::vector<PriorEntry> entries);

  const std::string& label() const { return label_; }
  // Fastest first.
  const std::vector<PriorEntry>& ranked() const { return ranked_; }
  std::size_t size() const { return ranked_.size(); }
  bool empty() const { return ranked_.empty(); }
  // The entry of a key, or nullptr when the prior did not measure it (or it failed there).
  const PriorEntry* find(const std::string& key) const;
  // Position of a key in ranked(), scaled to [0, 1] (0: the fastest); 1.5 when absent, so a
  // model sees "not measured there" as worse than anything that was.
  double rank_fraction(const std::string& key) const;

 private:
  std::string label_;
  std::vector<PriorEntry> ranked_;
  std::unordered_map<std::string, std::size_t> index_;
};

// The same configs with their times shuffled among them (seeded): a prior that misleads, for
// measuring what trusting a wrong prior costs (`tuna compare --prior-shuffle`).
Prior with_times_shuffled(const Prior& prior, std::uint64_t seed);

// How well a prior predicted this run: Spearman's rank correlation between the prior's times
// and the measured medians over the configs both ran correctly (1: same order; 0: unrelated;
// negative: reversed). `compared` < 3 leaves `spearman` at 0.
struct PriorAgreement {
  std::size_t compared = 0;
  double spearman = 0;
};
PriorAgreement prior_agreement(const Prior& prior, const std::vector<Result>& results);
// The same over parallel lists of prior times and measured times.
double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace tuna
