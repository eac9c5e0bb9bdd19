#include "tuna/space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/expr_lexer.hpp"
#include "core/expr_suggest.hpp"
#include "core/space_core.hpp"
#include "tuna/errors.hpp"

namespace tuna {

namespace {

const std::vector<Parameter> kNoParams;
const std::vector<Constraint> kNoConstraints;
const std::vector<BoundExpr> kNoBound;
const Env kNoConstants;

void check_param_name(const std::string& name) {
  bool ok = false;
  try {
    auto tokens = detail::lex(name);
    ok = tokens.size() == 2 && tokens[0].kind == detail::Tok::Name && tokens[0].text == name;
  } catch (const ExprError&) {
    ok = false;
  }
  if (!ok)
    throw UserError(fmt::format("parameter name '{}' cannot be used in expressions: use "
                                "letters, digits and '_' (not starting with a digit, and not "
                                "a keyword such as 'and', 'in', 'True')",
                                name));
}

bool all_pow2(const Parameter& p) {
  if (p.kind == ParamKind::Pow2Range) return true;
  if (p.kind != ParamKind::List || p.values.size() < 2) return false;
  return std::all_of(p.values.begin(), p.values.end(), [](const Value& v) {
    if (!v.is_int()) return false;
    std::int64_t i = v.as_int();
    return i > 0 && (i & (i - 1)) == 0;
  });
}

std::string allowed_values(const Parameter& p) {
  std::string out;
  for (std::size_t i = 0; i < p.values.size() && i < 32; ++i) {
    if (i) out += ", ";
    out += p.values[i].to_string();
  }
  if (p.values.size() > 32) out += fmt::format(", ... ({} values)", p.values.size());
  return out;
}

// Matches a value written as text against a parameter's values: as text first (so a string
// value "64" matches), then as a number or bool ("1" matches 1.0 and true).
std::ptrdiff_t match_text(const Parameter& p, std::string_view text) {
  for (std::size_t i = 0; i < p.values.size(); ++i)
    if (p.values[i].to_string() == text) return static_cast<std::ptrdiff_t>(i);
  Value v = parse_value_text(text);
  return v.is_string() ? -1 : p.index_of(v);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

namespace detail {

std::vector<std::size_t> sampling_order(const SpaceCore& core) {
  // Greedy: next, the parameter that completes the most constraints; then the one read by
  // the most unfinished constraints. Checking constraints early is what makes sparse spaces
  // cheap to walk.
  std::size_t n = core.params.size();
  std::vector<bool> assigned(n, false);
  std::vector<bool> done(core.checks.size(), false);
  std::vector<std::size_t> order;
  for (std::size_t level = 0; level < n; ++level) {
    std::size_t best = n;
    std::pair<std::size_t, std::size_t> best_score{0, 0};
    for (std::size_t p = 0; p < n; ++p) {
      if (assigned[p]) continue;
      std::size_t completes = 0, touches = 0;
      for (std::size_t c = 0; c < core.checks.size(); ++c) {
        if (done[c]) continue;
        const auto& slots = core.checks[c].slots();
        if (std::find(slots.begin(), slots.end(), p) == slots.end()) continue;
        ++touches;
        if (std::all_of(slots.begin(), slots.end(),
                        [&](std::size_t s) { return s == p || assigned[s]; }))
          ++completes;
      }
      std::pair<std::size_t, std::size_t> score{completes, touches};
      if (best == n || score > best_score) {
        best = p;
        best_score = score;
      }
    }
    assigned[best] = true;
    order.push_back(best);
    for (std::size_t c = 0; c < core.checks.size(); ++c) {
      const auto& slots = core.checks[c].slots();
      if (std::all_of(slots.begin(), slots.end(), [&](std::size_t s) { return assigned[s]; }))
        done[c] = true;
    }
  }
  return order;
}

WalkPlan make_walk_plan(const SpaceCore& core, std::vector<std::size_t> order) {
  WalkPlan plan;
  plan.order = std::move(order);
  plan.ready.resize(plan.order.size());
  std::vector<std::size_t> level_of(plan.order.size());
  for (std::size_t l = 0; l < plan.order.size(); ++l) level_of[plan.order[l]] = l;
  for (std::size_t c = 0; c < core.checks.size(); ++c) {
    const auto& slots = core.checks[c].slots();
    if (slots.empty()) continue;
    std::size_t level = 0;
    for (std::size_t s : slots) level = std::max(level, level_of[s]);
    plan.ready[level].push_back(c);
  }
  return plan;
}

std::size_t snap_index(const Parameter& p, const Value& v) {
  std::ptrdiff_t exact = p.index_of(v);
  if (exact >= 0) return static_cast<std::size_t>(exact);
  Value probe = v.is_string() ? parse_value_text(v.as_string()) : v;
  if (p.kind != ParamKind::Bool && probe.is_number() && p.values.front().is_number()) {
    double x = probe.as_double();
    std::size_t best = 0;
    double best_d = INFINITY;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      double d = std::fabs(p.values[i].as_double() - x);
      if (d < best_d) {  // strict: ties go to the smaller value
        best_d = d;
        best = i;
      }
    }
    return best;
  }
  std::ptrdiff_t parsed = p.index_of(probe);
  if (parsed >= 0) return static_cast<std::size_t>(parsed);
  return static_cast<std::size_t>(p.index_of(p.default_value));
}

double encode_index(const SpaceCore& core, std::size_t param, std::size_t index) {
  const Parameter& p = core.params[param];
  if (p.values.size() < 2) return 0.0;
  if (core.log_encoded[param]) {
    double lo = std::log2(p.values.front().as_double());
    double hi = std::log2(p.values.back().as_double());
    return (std::log2(p.values[index].as_double()) - lo) / (hi - lo);
  }
  return static_cast<double>(index) / static_cast<double>(p.values.size() - 1);
}

double index_distance(const SpaceCore& core, const std::vector<std::size_t>& a,
                      const std::vector<std::size_t>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    const Parameter& p = core.params[i];
    double d = 1.0;
    if (p.kind != ParamKind::Bool && p.values.front().is_number())
      d = encode_index(core, i, a[i]) - encode_index(core, i, b[i]);
    sum += d * d;
  }
  return std::sqrt(sum);
}

Config config_from_indices(const SpaceCore& core, const std::vector<std::size_t>& idx) {
  std::vector<Value> values(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i) values[i] = core.params[i].values[idx[i]];
  return Config(std::move(values));
}

}  // namespace detail

Space::Space(std::vector<Parameter> params, std::vector<Constraint> constraints, Env constants)
    : core_(detail::build_core(std::move(params), std::move(constraints), std::move(constants))) {}

namespace detail {

std::shared_ptr<SpaceCore> build_core(std::vector<Parameter> params,
                                      std::vector<Constraint> constraints, Env constants) {
  auto core = std::make_shared<detail::SpaceCore>();
  std::set<std::string, std::less<>> seen;
  for (const auto& p : params) {
    check_param_name(p.name);
    if (!seen.insert(p.name).second)
      throw UserError(fmt::format("parameter '{}' is declared twice; rename or remove one",
                                  p.name));
    if (p.values.empty())
      throw UserError(fmt::format("parameter '{}' has no values", p.name));
    if (p.index_of(p.default_value) < 0)
      throw UserError(fmt::format("parameter '{}': the default {} is not one of its values ({})",
                                  p.name, p.default_value.to_string(), allowed_values(p)));
    if (p.values.size() > 65535 && p.kind != ParamKind::IntRange)
      throw UserError(fmt::format("parameter '{}' has {} values; at most 65535 are supported",
                                  p.name, p.values.size()));
    core->names.push_back(p.name);
  }
  for (const auto& c : constraints) {
    if (c.expr.empty())
      throw UserError(fmt::format("constraint{} is empty",
                                  c.origin.empty() ? "" : " at " + c.origin));
    try {
      core->bound.push_back(c.expr.bind(std::span<const std::string>(core->names), constants));
      for (const Expr& part : c.expr.conjuncts())
        core->checks.push_back(part.bind(std::span<const std::string>(core->names), constants));
    } catch (const ExprError& e) {
      throw ExprError(fmt::format("constraint '{}'{}: {}", c.expr.text(),
                                  c.origin.empty() ? "" : " (" + c.origin + ")", e.what()),
                      e.column());
    }
  }
  core->params = std::move(params);
  core->constraints = std::move(constraints);
  core->constants = std::move(constants);
  std::vector<Value> no_slots(core->params.size());
  for (std::size_t c = 0; c < core->checks.size(); ++c) {
    if (!core->checks[c].slots().empty()) continue;
    core->unconditional.push_back(c);
    if (!core->checks[c].test(no_slots)) core->unconditional_hold = false;
  }
  std::vector<std::size_t> declared(core->params.size());
  for (std::size_t i = 0; i < declared.size(); ++i) declared[i] = i;
  core->declared = detail::make_walk_plan(*core, declared);
  core->sampling = detail::make_walk_plan(*core, detail::sampling_order(*core));
  for (const auto& p : core->params) core->log_encoded.push_back(all_pow2(p));
  return core;
}

}  // namespace detail

const std::vector<Parameter>& Space::params() const { return core_ ? core_->params : kNoParams; }
const std::vector<Constraint>& Space::constraints() const {
  return core_ ? core_->constraints : kNoConstraints;
}
const Env& Space::constants() const { return core_ ? core_->constants : kNoConstants; }
const std::vector<BoundExpr>& Space::bound_constraints() const {
  return core_ ? core_->bound : kNoBound;
}

std::ptrdiff_t Space::index_of(std::string_view name) const {
  const auto& ps = params();
  for (std::size_t i = 0; i < ps.size(); ++i)
    if (ps[i].name == name) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

Config Space::default_config() const {
  std::vector<Value> values;
  for (const auto& p : params()) values.push_back(p.default_value);
  return Config(std::move(values));
}

std::string Space::key(const Config& config) const {
  const auto& ps = params();
  TUNA_ASSERT(config.size() == ps.size(), "config size does not match the space");
  std::string out;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (i) out += ',';
    out += ps[i].name;
    out += '=';
    out += config[i].to_string();
  }
  return out;
}

Config Space::parse_key(std::string_view text) const {
  const auto& ps = params();
  Config config = default_config();
  std::vector<bool> given(ps.size(), false);
  std::string_view rest = text;
  while (!trim(rest).empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      throw UserError(fmt::format("config '{}': expected NAME=VALUE, found '{}'", text, item));
    std::string name(trim(item.substr(0, eq)));
    std::string_view value_text = trim(item.substr(eq + 1));
    std::ptrdiff_t p = index_of(name);
    if (p < 0) {
      std::vector<std::string> names;
      for (const auto& param : ps) names.push_back(param.name);
      throw UserError(fmt::format("config '{}': unknown parameter '{}' (parameters: {}){}", text,
                                  name, list_names(names), did_you_mean(name, names)));
    }
    if (given[p])
      throw UserError(fmt::format("config '{}': parameter '{}' is given twice", text, name));
    given[p] = true;
    std::ptrdiff_t v = match_text(ps[p], value_text);
    if (v < 0)
      throw UserError(fmt::format("config '{}': {}={} is not allowed (allowed: {})", text, name,
                                  value_text, allowed_values(ps[p])));
    config[p] = ps[p].values[v];
  }
  return config;
}

Config Space::from_sparse(const std::vector<std::pair<std::string, Value>>& values) const {
  const auto& ps = params();
  Config config = default_config();
  for (const auto& [name, value] : values) {
    std::ptrdiff_t p = index_of(name);
    if (p < 0) {
      std::vector<std::string> names;
      for (const auto& param : ps) names.push_back(param.name);
      throw UserError(fmt::format("unknown parameter '{}' (parameters: {}){}", name,
                                  list_names(names), did_you_mean(name, names)));
    }
    Value v = value;
    if (v.is_string() && ps[p].values.front().is_number()) {
      Value parsed = parse_value_text(v.as_string());
      if (parsed.is_number()) v = parsed;
    }
    if (std::ptrdiff_t i = ps[p].index_of(v); i >= 0) v = ps[p].values[i];  // canonical kind
    config[p] = std::move(v);
  }
  return config;
}

std::vector<std::size_t> Space::out_of_range(const Config& config) const {
  const auto& ps = params();
  TUNA_ASSERT(config.size() == ps.size(), "config size does not match the space");
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < ps.size(); ++i)
    if (ps[i].index_of(config[i]) < 0) out.push_back(i);
  return out;
}

std::vector<std::size_t> Space::violations(const Config& config) const {
  TUNA_ASSERT(config.size() == params().size(), "config size does not match the space");
  std::vector<std::size_t> out;
  const auto& bound = bound_constraints();
  for (std::size_t c = 0; c < bound.size(); ++c)
    if (!bound[c].test(config.values())) out.push_back(c);
  // The restriction is the last constraint; values out of range are out_of_range()'s to report.
  if (restricted() && out_of_range(config).empty() && !core_->allowed_values(config.values()))
    out.push_back(bound.size() - 1);
  return out;
}

bool Space::is_valid(const Config& config) const {
  if (config.size() != params().size()) return false;
  for (std::size_t i = 0; i < config.size(); ++i)
    if (params()[i].index_of(config[i]) < 0) return false;
  for (const auto& b : bound_constraints())
    if (!b.test(config.values())) return false;
  return !restricted() || core_->allowed_values(config.values());
}

double Space::grid_size() const {
  double n = 1;
  for (const auto& p : params()) n *= static_cast<double>(p.values.size());
  return n;
}

std::vector<std::size_t> Space::switches() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < params().size(); ++i)
    if (params()[i].is_switch()) out.push_back(i);
  return out;
}

std::vector<Value> Space::switch_settings(const Config& config) const {
  std::vector<Value> out;
  for (std::size_t i : switches()) out.push_back(config[i]);
  return out;
}

std::vector<double> Space::encode(const Config& config) const {
  const auto& ps = params();
  TUNA_ASSERT(config.size() == ps.size(), "config size does not match the space");
  std::vector<double> out(ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i)
    out[i] = detail::encode_index(*core_, i, detail::snap_index(ps[i], config[i]));
  return out;
}

std::vector<std::pair<std::string, Value>> Space::diff(const Config& config,
                                                       const Config& base) const {
  const auto& ps = params();
  TUNA_ASSERT(config.size() == ps.size() && base.size() == ps.size(),
              "config size does not match the space");
  std::vector<std::pair<std::string, Value>> out;
  for (std::size_t i = 0; i < ps.size(); ++i)
    if (!(config[i] == base[i])) out.emplace_back(ps[i].name, config[i]);
  return out;
}

}  // namespace tuna
