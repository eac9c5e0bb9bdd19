#pragma once
// Space: the tunable parameters of a kernel, their allowed values and the constraints between
// them. A Config is one value per parameter, in declaration order.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tuna/expr.hpp"
#include "tuna/value.hpp"

namespace tuna {

enum class ParamKind { IntRange, Pow2Range, List, Bool };
const char* param_kind_name(ParamKind kind);

struct Parameter {
  std::string name;
  ParamKind kind = ParamKind::List;
  // Every allowed value, in ascending order for numbers (declaration order for strings).
  // Ranges are expanded here; `lo`, `hi`, `step` keep the declared form for prompts and docs.
  std::vector<Value> values;
  Value default_value;
  std::string description;
  std::int64_t lo = 0, hi = 0, step = 1;

  // The most values an integer range may expand to: beyond this a range is almost surely a
  // typo, and enumerating the space would be hopeless.
  static constexpr std::int64_t kMaxRangeValues = 1'000'000;

  static Parameter int_range(std::string name, std::int64_t lo, std::int64_t hi,
                             std::int64_t step, Value default_value, std::string description = {});
  static Parameter pow2_range(std::string name, std::int64_t lo, std::int64_t hi,
                              Value default_value, std::string description = {});
  static Parameter list(std::string name, std::vector<Value> values, Value default_value,
                        std::string description = {});
  static Parameter boolean(std::string name, bool default_value, std::string description = {});

  // Index of `v` in `values`, or -1.
  std::ptrdiff_t index_of(const Value& v) const;
  // An on/off choice (exactly two values): where kernels differ by which family of such
  // choices wins on a device (shared memory or not, read-only loads or not, ...).
  bool is_switch() const { return values.size() == 2; }
};

struct Constraint {
  Expr expr;
  std::string origin;  // where it was declared, e.g. "spec.toml:14", for error messages
};

class Config {
 public:
  Config() = default;
  explicit Config(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  const Value& operator[](std::size_t i) const { return values_[i]; }
  Value& operator[](std::size_t i) { return values_[i]; }
  const std::vector<Value>& values() const { return values_; }
  friend bool operator==(const Config&, const Config&) = default;

 private:
  std::vector<Value> values_;
};

namespace detail {
struct SpaceCore;  // shared compiled state (src/core/space_core.hpp)
}

// How random_valid draws a config; docs/space.md explains each and its bias.
enum class SamplingMethod {
  Auto,        // Enumerated when the space enumerates cheaply, else Probe
  Enumerated,  // exactly uniform over a cached list of every valid config (throws UserError
               // when the space is too large to cache)
  Probe,       // random constraint-checked descent, accepted with a weight correction: close to
               // uniform (exact when the bound is right), fast for sparse spaces
  Backtrack,   // randomised depth-first search with backtracking: always finds a config, biased
               // towards configs in sparsely populated subtrees
};

struct SpaceSize {
  double count = 0;    // number of valid configs
  bool exact = false;  // false when estimated by sampling
};

class Space {
 public:
  Space() = default;
  // `constants` are problem constants and device facts that constraints may read.
  // Throws UserError when a constraint names something that is neither a parameter nor a
  // constant, or when a default is not one of its parameter's values.
  Space(std::vector<Parameter> params, std::vector<Constraint> constraints, Env constants = {});

  const std::vector<Parameter>& params() const;
  const std::vector<Constraint>& constraints() const;
  const Env& constants() const;
  // Index of a parameter by name, or -1.
  std::ptrdiff_t index_of(std::string_view name) const;

  Config default_config() const;
  // Canonical key: `BM=64,BN=128,...` in declaration order. Stable across runs.
  std::string key(const Config& config) const;
  // Inverse of key(); also accepts any order, spaces around items, and omitted names (filled
  // from the default): "BM=64, LOOP=ikj, FLAG=true". Values are matched as text against the
  // allowed values ("1" matches 1.0 and true for numbers/bools). Throws UserError naming the
  // unknown parameter (with a did-you-mean) or listing the allowed values.
  Config parse_key(std::string_view text) const;
  // Config from name/value pairs laid over the default (sparse configs, e.g. from an LLM).
  // Throws UserError for an unknown name (with a did-you-mean). Values are kept as given, so
  // the result may be out of range (check out_of_range(), or repair()); a string that reads
  // as a number ("64") for a numeric parameter is converted.
  Config from_sparse(const std::vector<std::pair<std::string, Value>>& values) const;

  // Every value is one of its parameter's values and every constraint holds.
  bool is_valid(const Config& config) const;
  // Indices into constraints() of the constraints that fail, plus nothing for in-range values;
  // values outside their parameter's list are reported by out_of_range().
  std::vector<std::size_t> violations(const Config& config) const;
  std::vector<std::size_t> out_of_range(const Config& config) const;
  // Nearest valid config: snap each value to its nearest allowed value (numbers by distance;
  // strings and bools kept when allowed, else the default), then breadth-first search over
  // one-step moves (fewest steps wins, ties broken by encoded distance), then the nearest
  // valid config by encoded distance. Returns nullopt when the space is empty.
  std::optional<Config> repair(const Config& config) const;

  // A valid config drawn at random, uniformly over the valid configs (SamplingMethod::Auto:
  // exact from a cached list when the space enumerates cheaply, else the probe sampler; see
  // docs/space.md). Deterministic for a given rng state. Throws UserError when no config is
  // valid, or when a bounded search (about a second) finds none in a space too large to prove
  // empty. The first call on a space may take up to a few hundred ms (it builds the cache).
  Config random_valid(std::mt19937_64& rng) const;
  Config random_valid(std::mt19937_64& rng, SamplingMethod method) const;
  // Valid configs that differ from `config` in at most `radius` parameters, each moved by one
  // step in its value list (strings and bools: any other value). Deterministic order, no
  // duplicates, never `config` itself.
  std::vector<Config> neighbours(const Config& config, int radius = 1) const;
  // Calls `visit` for every valid config in lexicographic order of value indices; each
  // constraint (each of its top-level `and` parts) is checked as soon as all the parameters it
  // reads are assigned. `visit` returns false to stop. Unbounded: on a huge space whose
  // constraints prune little, this can run for a very long time.
  void enumerate(const std::function<bool(const Config&)>& visit) const;
  std::vector<Config> enumerate_all() const;
  // Exact when a pruned enumeration finishes within a fixed amount of work; otherwise an
  // unbiased estimate from random probes (Knuth's estimator). Computed once per space.
  SpaceSize size() const;
  // Product of the parameters' value counts.
  double grid_size() const;

  // Numeric encoding for models: per parameter, the value's index scaled to [0, 1]
  // (log2 of the value, scaled, for power-of-two ranges and lists of powers of two). A value
  // outside its list is encoded as its nearest allowed value.
  std::vector<double> encode(const Config& config) const;
  // Indices of the two-way choices (Parameter::is_switch), in declaration order.
  std::vector<std::size_t> switches() const;
  // The values `config` gives the two-way choices, in the same order: its family of them.
  std::vector<Value> switch_settings(const Config& config) const;
  // Parameters where `config` differs from `base`, as name/value pairs in declaration order.
  std::vector<std::pair<std::string, Value>> diff(const Config& config, const Config& base) const;

  // The constraints bound to parameter slots (slot i = parameter i), in constraints() order.
  const std::vector<BoundExpr>& bound_constraints() const;

  // Restricts the space to the configs of `allowed` that are valid now (others are dropped):
  // for recorded search spaces, where a configuration absent from an exhaustive recording
  // violates a restriction nobody wrote down. Afterwards is_valid, enumerate, size (exact),
  // random_valid (exactly uniform over the list), neighbours and repair honour the list, and
  // constraints() ends with a pseudo-constraint `in_recorded_space` (a constant that is true
  // wherever it is evaluated on its own) which violations() reports for a config outside the
  // list. Restricting again intersects.
  void restrict_to(const std::vector<Config>& allowed);
  // Whether restrict_to() was applied.
  bool restricted() const;

 private:
  // Everything (parameters, bound constraints, pruning orders, lazily built caches) lives in
  // one immutable shared object, so copying a Space costs one reference count.
  std::shared_ptr<const detail::SpaceCore> core_;
};

}  // namespace tuna
