// Space::restrict_to(): a space limited to an explicit list of configs (recorded search spaces).
//
// The list is kept as a hash set of packed value indices, so every check is one lookup. The
// restriction shows in constraints() as a last pseudo-constraint, `in_recorded_space`, bound to a
// constant that is always true: code that walks constraints() (messages, prompts) sees that the
// space is restricted and why, and violations() reports that index for a config outside the list.
#include <algorithm>

#include "core/space_core.hpp"
#include "tuna/errors.hpp"

namespace tuna {

namespace {

constexpr const char* kRecordedName = "in_recorded_space";
constexpr const char* kRecordedOrigin =
    "not in the recorded space: only the configurations of the recording are valid";

}  // namespace

namespace detail {

bool SpaceCore::allowed_values(const std::vector<Value>& values) const {
  if (!restricted) return true;
  if (values.size() != params.size()) return false;
  std::vector<std::size_t> idx(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::ptrdiff_t at = params[i].index_of(values[i]);
    if (at < 0) return false;
    idx[i] = static_cast<std::size_t>(at);
  }
  return allowed.count(pack(idx)) > 0;
}

}  // namespace detail

bool Space::restricted() const { return core_ && core_->restricted; }

void Space::restrict_to(const std::vector<Config>& allowed) {
  TUNA_ASSERT(core_ != nullptr, "restrict_to on an empty space");
  for (const Parameter& p : params())
    if (p.values.size() > 65535)
      throw UserError("parameter '" + p.name + "' has " + std::to_string(p.values.size()) +
                      " values; a restricted space supports at most 65535 per parameter");
  std::vector<Constraint> constraints = this->constraints();
  Env constants = this->constants();
  if (!restricted()) {
    constants.set(kRecordedName, Value(true));
    constraints.push_back(Constraint{Expr::parse(kRecordedName), kRecordedOrigin});
  }
  auto core = detail::build_core(params(), std::move(constraints), std::move(constants));
  core->restricted = true;
  std::vector<std::size_t> idx(core->params.size());
  for (const Config& config : allowed) {
    if (!is_valid(config)) continue;  // the current space, restriction included: intersects
    for (std::size_t i = 0; i < idx.size(); ++i)
      idx[i] = static_cast<std::size_t>(core->params[i].index_of(config[i]));
    core->allowed.insert(detail::SpaceCore::pack(idx));
  }
  core_ = std::move(core);
}

}  // namespace tuna
