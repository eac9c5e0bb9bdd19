#include "core/recorded_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>


namespace tuna {
namespace {

// A bound on one integer parameter (second == first) or on the product of two.
struct Rule {
  std::size_t first = 0, second = 0;
  bool at_least = true;  // term >= bound, else term <= bound
  long long bound = 0;
};

// Every combination that meets the space's own constraints, and whether it is recorded.
struct Combination {
  std::vector<long long> ints;  // per parameter (0 for non-integer parameters)
  bool recorded = false;
};

// Integer parameters small enough that the product of two cannot overflow.
bool is_int_parameter(const Parameter& p) {
  constexpr long long kLargest = 1LL << 31;
  return p.values.size() >= 2 && std::all_of(p.values.begin(), p.values.end(), [](const Value& v) {
           return v.is_int() && v.as_int() <= kLargest && v.as_int() >= -kLargest;
         });
}

std::vector<Combination> combinations(const Space& space) {
  const auto& params = space.params();
  const std::size_t pseudo = space.constraints().size() - 1;  // in_recorded_space is last
  std::vector<Combination> out;
  std::vector<std::size_t> idx(params.size(), 0);
  std::vector<Value> values(params.size());
  while (true) {
    for (std::size_t i = 0; i < params.size(); ++i) values[i] = params[i].values[idx[i]];
    const Config config(values);
    const std::vector<std::size_t> broken = space.violations(config);
    if (broken.empty() || (broken.size() == 1 && broken[0] == pseudo)) {
      Combination c;
      c.recorded = broken.empty();
      for (const Value& v : values) c.ints.push_back(v.is_int() ? v.as_int() : 0);
      out.push_back(std::move(c));
    }
    std::size_t i = 0;
    while (i < params.size() && ++idx[i] == params[i].values.size()) idx[i++] = 0;
    if (i == params.size()) return out;
  }
}

long long term(const Rule& r, const Combination& c) {
  return r.first == r.second ? c.ints[r.first] : c.ints[r.first] * c.ints[r.second];
}

bool breaks(const Rule& r, const Combination& c) {
  const long long t = term(r, c);
  return r.at_least ? t < r.bound : t > r.bound;
}

// The bounds of every term over the recorded combinations that cut some other combination.
std::vector<Rule> candidate_rules(const Space& space, const std::vector<Combination>& all) {
  const auto& params = space.params();
  std::vector<std::size_t> ints;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (is_int_parameter(params[i])) ints.push_back(i);
  std::vector<Rule> out;
  for (std::size_t a = 0; a < ints.size(); ++a) {
    for (std::size_t b = a; b < ints.size(); ++b) {
      Rule probe{ints[a], ints[b], true, 0};
      long long lo = std::numeric_limits<long long>::max(), hi = std::numeric_limits<long long>::min();
      for (const Combination& c : all)
        if (c.recorded) lo = std::min(lo, term(probe, c)), hi = std::max(hi, term(probe, c));
      bool cuts_low = false, cuts_high = false;
      for (const Combination& c : all) {
        cuts_low = cuts_low || term(probe, c) < lo;
        cuts_high = cuts_high || term(probe, c) > hi;
      }
      if (cuts_low) out.push_back(Rule{ints[a], ints[b], true, lo});
      if (cuts_high) out.push_back(Rule{ints[a], ints[b], false, hi});
    }
  }
  return out;
}

std::string rule_text(const Space& space, const Rule& r) {
  const auto& params = space.params();
  const std::string lhs = r.first == r.second
                              ? params[r.first].name
                              : params[r.first].name + " * " + params[r.second].name;
  return fmt::format("{} {} {}", lhs, r.at_least ? ">=" : "<=", r.bound);
}

// The fewest rules (greedily, weakest dropped first) under which every unrecorded combination
// breaks at least one; empty when even all of them leave one standing.
std::optional<std::vector<Rule>> exact_rules(const std::vector<Rule>& rules,
                                             const std::vector<Combination>& all) {
  std::vector<std::vector<std::size_t>> cuts(rules.size());  // per rule, the combinations it cuts
  std::vector<std::size_t> holding;  // per unrecorded combination, the kept rules that cut it
  for (const Combination& c : all) {
    if (c.recorded) continue;
    const std::size_t k = holding.size();
    holding.push_back(0);
    for (std::size_t r = 0; r < rules.size(); ++r)
      if (breaks(rules[r], c)) cuts[r].push_back(k), ++holding[k];
    if (holding[k] == 0) return std::nullopt;
  }
  std::vector<std::size_t> order(rules.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cuts[a].size() < cuts[b].size(); });
  std::vector<bool> kept(rules.size(), true);
  for (std::size_t r : order) {
    const bool needed = std::any_of(cuts[r].begin(), cuts[r].end(),
                                    [&](std::size_t k) { return holding[k] == 1; });
    if (needed) continue;
    kept[r] = false;
    for (std::size_t k : cuts[r]) --holding[k];
  }
  std::vector<Rule> out;
  for (std::size_t r = 0; r < rules.size(); ++r)
    if (kept[r]) out.push_back(rules[r]);
  return out;
}

}  // namespace

std::optional<RecordedRules> infer_recorded_rules(const Space& space, double max_grid) {
  if (!space.restricted()) return std::nullopt;
  RecordedRules out;
  out.recorded = static_cast<std::size_t>(std::llround(space.size().count));
  out.other_constraints = space.constraints().size() > 1;
  if (space.grid_size() > max_grid) return out;
  const std::vector<Combination> all = combinations(space);
  out.candidates = all.size();
  const std::vector<Rule> candidates = candidate_rules(space, all);
  if (auto rules = exact_rules(candidates, all)) {
    out.exact = true;
    for (const Rule& r : *rules) out.rules.push_back(rule_text(space, r));
  }
  return out;
}

}  // namespace tuna
