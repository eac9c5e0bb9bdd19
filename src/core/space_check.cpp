#include "core/space_check.hpp"

#include <fmt/format.h>

#include <optional>
#include <random>

#include "tuna/errors.hpp"

namespace tuna::spec_internal {
namespace {

// Fraction of configurations that constraint `c` alone rejects. Exact over the parameters it
// reads when they have few combinations, sampled (deterministically) otherwise.
double rejected_fraction(const Space& space, const Expr& c, const Env& base) {
  std::vector<const Parameter*> read;
  for (const auto& name : c.names()) {
    const auto idx = space.index_of(name);
    if (idx >= 0) read.push_back(&space.params()[static_cast<std::size_t>(idx)]);
  }
  Env env = base;
  auto rejects = [&]() {
    try {
      return !c.evaluate(env).truthy();
    } catch (const UserError&) {
      return true;  // a config the constraint cannot even evaluate is not a usable one
    }
  };
  double combos = 1;
  for (const auto* p : read) combos *= static_cast<double>(p->values.size());
  constexpr double kExactLimit = 200000;
  constexpr int kSamples = 20000;
  std::size_t rejected = 0, total = 0;
  if (combos <= kExactLimit) {
    std::vector<std::size_t> idx(read.size(), 0);
    for (bool more = true; more; ++total) {
      for (std::size_t k = 0; k < read.size(); ++k) env.set(read[k]->name, read[k]->values[idx[k]]);
      rejected += rejects() ? 1 : 0;
      more = false;
      for (std::size_t k = 0; k < read.size() && !more; ++k) {
        if (++idx[k] < read[k]->values.size())
          more = true;
        else
          idx[k] = 0;
      }
    }
  } else {
    std::mt19937_64 rng(0x7475'6e61);  // fixed: the same spec gives the same message
    for (; total < kSamples; ++total) {
      for (const auto* p : read) env.set(p->name, p->values[rng() % p->values.size()]);
      rejected += rejects() ? 1 : 0;
    }
  }
  return total == 0 ? 0.0 : static_cast<double>(rejected) / static_cast<double>(total);
}

[[noreturn]] void fail_infeasible(const KernelSpec& spec, const Space& space,
                                  const std::vector<std::size_t>& spec_index, const Env& env,
                                  const SpecLocations& loc) {
  Env base = env;
  const Config def = space.default_config();
  for (std::size_t i = 0; i < space.params().size(); ++i) base.set(space.params()[i].name, def[i]);
  std::size_t worst = 0;
  double worst_fraction = -1;
  for (std::size_t i = 0; i < space.constraints().size(); ++i) {
    const double f = rejected_fraction(space, space.constraints()[i].expr, base);
    if (f > worst_fraction) {
      worst = i;
      worst_fraction = f;
    }
  }
  const std::size_t si = spec_index[worst];
  const std::string key = "constraints." + spec.constraint_name(si);
  const std::string& text = spec.constraints[si].expr.text();
  if (worst_fraction >= 1.0)
    loc.fail(key,
             fmt::format("no configuration satisfies all constraints: '{}' alone rejects every "
                         "configuration",
                         text),
             "Relax this constraint, or widen the values of the parameters it reads");
  loc.fail(key,
           fmt::format("no configuration satisfies all constraints; '{}' rejects the most "
                       "({:.0f}% of configurations on its own), and with the other constraints "
                       "nothing is left",
                       text, worst_fraction * 100),
           "Relax the constraints, or widen the parameters' values");
}

}  // namespace

void check_space_usable(const KernelSpec& spec, const Space& space,
                        const std::vector<std::size_t>& spec_index, const Env& env,
                        const SpecLocations& loc) {
  Env defaults = env;
  const Config def = space.default_config();
  for (std::size_t i = 0; i < space.params().size(); ++i)
    defaults.set(space.params()[i].name, def[i]);
  std::optional<std::size_t> violated;
  for (std::size_t i = 0; i < space.constraints().size() && !violated; ++i) {
    const std::size_t si = spec_index[i];
    const std::string key = "constraints." + spec.constraint_name(si);
    try {
      if (!space.constraints()[i].expr.evaluate(defaults).truthy()) violated = i;
    } catch (const UserError& e) {
      loc.fail(key,
               fmt::format("'{}' cannot be evaluated for the default configuration: {}",
                           space.constraints()[i].expr.text(), e.what()),
               "Fix the expression (docs/expressions.md describes the language)");
    }
  }
  if (!violated) return;
  bool any_valid = false;
  try {
    space.enumerate([&](const Config&) {
      any_valid = true;
      return false;
    });
  } catch (const UserError& e) {
    loc.fail("constraints", fmt::format("the constraints cannot be evaluated: {}", e.what()),
             "Fix the constraint the message names (docs/expressions.md describes the language)");
  }
  if (!any_valid) fail_infeasible(spec, space, spec_index, env, loc);

  const std::size_t si = spec_index[*violated];
  const Expr& expr = spec.constraints[si].expr;
  std::vector<std::string> values, read;
  for (const auto& name : expr.names()) {
    const auto idx = space.index_of(name);
    if (idx < 0) continue;
    values.push_back(fmt::format("{}={}", name, def[static_cast<std::size_t>(idx)].to_string()));
    read.push_back(name);
  }
  loc.fail("constraints." + spec.constraint_name(si),
           fmt::format("the default configuration ({}) violates '{}'", fmt::join(values, ", "),
                       expr.text()),
           fmt::format("Change the default of {} (in [params]) to values that satisfy it; the "
                       "search starts from the default, so it must be valid",
                       quoted_list(read)));
}

}  // namespace tuna::spec_internal
