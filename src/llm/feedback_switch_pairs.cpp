// Switches flipped in pairs. A two-valued parameter whose other value was never measured near
// the anchor may pay only together with another switch: on the A6000 convolution recording,
// turning shared-memory staging off from the best shared-memory config costs 42% with
// read-only loads on and gains 9% with them off. The one-parameter moves alone then read as a
// loss, and a search that follows them never reaches the better family.
#include <fmt/format.h>

#include <set>

#include "llm/feedback.hpp"
#include "llm/feedback_internal.hpp"
#include "llm/prompt_format.hpp"

namespace tuna::llm {
namespace {

const Value& other_value(const Parameter& p, const Value& now) {
  return p.values[0] == now ? p.values[1] : p.values[0];
}

// Whether flipping switch `i` of `anchor` was measured near it.
bool tried_near(const FeedbackInputs& in, const Config& anchor, std::size_t i) {
  const Parameter& p = in.space.params()[i];
  auto nearest = detail::nearest_use(in, anchor, i, {other_value(p, anchor[i])});
  return nearest && *nearest <= detail::kNearOtherParams;
}

std::string flip_text(const Parameter& p, const Value& now) {
  return fmt::format("{} {} -> {}", p.name, value_json(now), value_json(other_value(p, now)));
}

}  // namespace

std::string paired_switch_moves(const FeedbackInputs& in, const Config& config,
                                std::size_t limit, const std::string& indent) {
  const auto& params = in.space.params();
  if (config.size() != params.size() || limit == 0) return {};
  const std::set<std::string> measured = detail::measured_keys(in);
  std::string out;
  std::size_t shown = 0;
  std::set<std::string> seen;  // a pair of two untried switches is listed once
  for (std::size_t i = 0; i < params.size() && shown < limit; ++i) {
    if (!params[i].is_switch() || tried_near(in, config, i)) continue;
    for (std::size_t j = 0; j < params.size() && shown < limit; ++j) {
      if (j == i || !params[j].is_switch()) continue;
      Config pair = config;
      pair[i] = other_value(params[i], config[i]);
      pair[j] = other_value(params[j], config[j]);
      const std::string key = in.space.key(pair);
      if (!in.space.is_valid(pair) || measured.count(key) || !seen.insert(key).second) continue;
      out += fmt::format("{}- {} with {}\n", indent, flip_text(params[i], config[i]),
                         flip_text(params[j], config[j]));
      ++shown;
    }
  }
  return out;
}

}  // namespace tuna::llm
