#include "llm/feedback_challenger.hpp"

#include <fmt/format.h>

#include "llm/feedback_internal.hpp"

namespace tuna::llm {
namespace {

struct Family {
  const Result* best = nullptr;
  std::size_t measured = 0;
};

Family family_of(const std::vector<const Result*>& ranked, std::size_t param, const Value& v) {
  Family f;
  for (const Result* r : ranked) {  // fastest first: the first match is the family's best
    if (r->config.size() <= param || !(r->config[param] == v)) continue;
    if (!f.best) f.best = r;
    ++f.measured;
  }
  return f;
}

std::vector<std::size_t> differing(const Config& a, const Config& b, std::size_t except) {
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < a.size() && p < b.size(); ++p)
    if (p != except && !(a[p] == b[p])) out.push_back(p);
  return out;
}

}  // namespace

std::optional<Challenger> find_challenger(const FeedbackInputs& in) {
  const std::vector<const Result*> ranked = ranked_results(in.results);
  if (ranked.empty()) return std::nullopt;
  const Result& top = *ranked.front();
  std::optional<Challenger> pick;
  const auto& params = in.space.params();
  for (std::size_t p = 0; p < params.size() && p < top.config.size(); ++p) {
    const std::size_t n = params[p].values.size();
    if (n < 2 || n > kChallengeMaxValues) continue;
    for (const Value& v : params[p].values) {
      if (v == top.config[p]) continue;
      const Family f = family_of(ranked, p, v);
      if (!f.best) continue;
      const double ratio = f.best->median_ms / top.median_ms;
      const double cap =
          f.measured <= kChallengeFewConfigs ? kChallengeMaxRatioFew : kChallengeMaxRatio;
      if (!(ratio <= cap)) continue;
      std::vector<std::size_t> differs = differing(f.best->config, top.config, p);
      const bool better = !pick || f.measured < pick->measured ||
                          (f.measured == pick->measured && ratio < pick->ratio);
      if (better)
        pick = Challenger{p, v, f.best, &top, ranked.size(), ratio, f.measured, std::move(differs)};
    }
  }
  return pick;
}

std::string challenge_guidance(const Space& space, const Challenger& c) {
  const Result& top = *c.top;
  std::vector<std::string> diffs;
  for (std::size_t p : c.differs)
    diffs.push_back(fmt::format("{} {} (anchor 1: {})", space.params()[p].name,
                                c.best->config[p].to_string(), top.config[p].to_string()));
  const std::string family = challenge_family(space, c);
  // Why the family may trail, and where its configs may start.
  std::string why, start;
  if (diffs.empty()) {
    why = "Its best is anchor 1 with only that setting changed: every other setting was chosen "
          "for anchor 1's family, and this family may need others";
    start = fmt::format("anchor 1 with {} is the natural starting point (with the other settings "
                        "this family needs)",
                        family);
  } else {
    why = fmt::format("Its best differs from anchor 1 in {}: it may trail only because those "
                      "settings were chosen for anchor 1's family, or by chance",
                      detail::joined(diffs, "; "));
    start = fmt::format("its own best config and anchor 1 are natural starting points (for "
                        "example its best with one of anchor 1's values, or anchor 1 with {} and "
                        "the settings that suit it)",
                        family);
  }
  return fmt::format(
      "- This round is a challenge round: instead of refining the anchors, give another family "
      "its best chance. The fastest config with {} runs {:.4g} ms (x{:.3f} of anchor 1), and "
      "only {} of the {} correct configs measured have {}. {}.\n"
      "- Propose configs with {} only, each a reasoned guess at what this family needs to be "
      "fastest: {}, but what suits {} may differ from what suits anchor 1.\n",
      family, c.best->median_ms, c.ratio, c.measured, c.correct, family, why, family, start,
      family);
}

std::string challenge_family(const Space& space, const Challenger& c) {
  return fmt::format("{} = {}", space.params()[c.param].name, c.value.to_string());
}

}  // namespace tuna::llm
