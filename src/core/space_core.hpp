#pragma once
// The compiled, shared state of a Space, and the helpers its parts (enumeration, sampling,
// repair) share. Immutable after construction except for caches built once on first use
// (std::call_once), so a Space is safe to read from several threads.
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "tuna/space.hpp"

namespace tuna::detail {

// Every valid config, as value indices (one row of `width` entries per config), when the
// space is small enough to enumerate and keep.
struct ValidList {
  bool available = false;
  std::size_t width = 0;
  std::size_t count = 0;
  std::vector<std::uint16_t> rows;
};

// A depth-first walk order and, per level, the constraints that become checkable there
// (those whose last-assigned parameter is this level's).
struct WalkPlan {
  std::vector<std::size_t> order;               // parameter index at each level
  std::vector<std::vector<std::size_t>> ready;  // indices into SpaceCore::checks, per level
};

struct SpaceCore {
  std::vector<Parameter> params;
  std::vector<Constraint> constraints;
  Env constants;
  std::vector<std::string> names;
  std::vector<BoundExpr> bound;   // one per constraint: is_valid(), violations()
  // The constraints split at top-level `and`s: what walks check, each as early as it can.
  std::vector<BoundExpr> checks;
  std::vector<std::size_t> unconditional;  // checks that read no parameter
  bool unconditional_hold = true;          // ... and whether they all hold
  WalkPlan declared;  // declaration order: enumerate() promises lexicographic order
  WalkPlan sampling;  // reordered so that constraints are checked as early as possible
  std::vector<bool> log_encoded;  // encode() by log2 of the value

  // Space::restrict_to(): only configs whose packed value indices are in `allowed` are valid.
  bool restricted = false;
  std::unordered_set<std::string> allowed;

  // A config's value indices packed as a hash key (2 bytes per parameter).
  static std::string pack(const std::vector<std::size_t>& idx) {
    std::string out(idx.size() * 2, '\0');
    for (std::size_t i = 0; i < idx.size(); ++i) {
      out[2 * i] = static_cast<char>(idx[i] & 0xff);
      out[2 * i + 1] = static_cast<char>((idx[i] >> 8) & 0xff);
    }
    return out;
  }
  bool allowed_indices(const std::vector<std::size_t>& idx) const {
    return !restricted || allowed.count(pack(idx)) > 0;
  }
  // False for values outside their parameter's list, as for configs outside the allowed set.
  bool allowed_values(const std::vector<Value>& values) const;

  // Built on first use.
  mutable std::once_flag valid_once;
  mutable ValidList valid;
  mutable std::once_flag size_once;
  mutable SpaceSize size;
  mutable std::once_flag probe_once;
  mutable double probe_bound = 0;

  bool level_ok(const WalkPlan& plan, std::size_t level, const std::vector<Value>& cur) const {
    for (std::size_t c : plan.ready[level])
      if (!checks[c].test(cur)) return false;
    return true;
  }
  bool unconditional_ok() const { return unconditional_hold; }
};

// Work limits: beyond these, enumeration-based answers give way to sampling.
inline constexpr std::uint64_t kCacheNodeBudget = 4'000'000;
inline constexpr std::size_t kCacheEntryBudget = 8'000'000;  // index entries (16 MB)
inline constexpr std::uint64_t kCountNodeBudget = 8'000'000;

// Compiles parameters and constraints into a fresh core (the work of Space's constructor).
std::shared_ptr<SpaceCore> build_core(std::vector<Parameter> params,
                                      std::vector<Constraint> constraints, Env constants);

WalkPlan make_walk_plan(const SpaceCore& core, std::vector<std::size_t> order);
std::vector<std::size_t> sampling_order(const SpaceCore& core);

// Depth-first walk over `plan` with pruning; calls leaf(cur, idx) for each valid config (cur
// holds values by parameter index, idx the value indices by parameter index); leaf returns
// false to stop. Stops early, returning false, once `node_budget` nodes were visited.
bool walk(const SpaceCore& core, const WalkPlan& plan, std::uint64_t node_budget,
          const std::function<bool(const std::vector<Value>&, const std::vector<std::size_t>&)>&
              leaf);

const ValidList& valid_list(const SpaceCore& core);

// Index of the allowed value nearest to `v` (numbers by distance; a string or bool that is
// not allowed gives the default's index).
std::size_t snap_index(const Parameter& p, const Value& v);
// Per-parameter coordinate in [0, 1].
double encode_index(const SpaceCore& core, std::size_t param, std::size_t index);
// Distance between two configs given as value indices: Euclidean over encoded coordinates,
// with a mismatch of strings or bools counting 1.
double index_distance(const SpaceCore& core, const std::vector<std::size_t>& a,
                      const std::vector<std::size_t>& b);
Config config_from_indices(const SpaceCore& core, const std::vector<std::size_t>& idx);

}  // namespace tuna::detail

namespace tuna::detail {

// One random descent along `plan`: at each level, the values that pass the constraints ready
// there are counted (k) and one of them is picked uniformly. Returns the product of the k's
// (Knuth's estimator of the number of valid configs; the inverse of the probability of
// reaching this leaf), or 0 at a dead end. Leaves the config in cur/idx.
struct ProbeScratch {
  std::vector<Value> cur;
  std::vector<std::size_t> idx;
  std::vector<std::size_t> feasible;
  explicit ProbeScratch(const SpaceCore& core);
};
double probe(const SpaceCore& core, const WalkPlan& plan, std::mt19937_64& rng,
             ProbeScratch& scratch);

}  // namespace tuna::detail
