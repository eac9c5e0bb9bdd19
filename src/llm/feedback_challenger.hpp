#pragma once
// The challenger family of a challenge round: another setting of a choice parameter (2 or 3
// values: an on/off option, a method) whose configs trail the best only for settings not tuned
// for them.
//
// Why: a model refines around its best config, and a family that lost early is never tuned. On
// the A6000 convolution the runs that stayed at 0.75 of the optimum kept shared memory on; the
// best config with it off trailed by x1.3-1.4 with a block shape picked for shared memory, and
// with the shape that suits direct loads it is the optimum. On the RTX 3090 pnpoly the best
// use_method 0 config trailed by 3 % with 544 threads, and use_method 0 with 64 threads is the
// optimum. A challenge round asks the model to tune that family instead of the anchors.
#include <optional>
#include <string>
#include <vector>

#include "llm/feedback.hpp"

namespace tuna::llm {

struct Challenger {
  std::size_t param = 0;          // the choice parameter
  Value value;                    // the family's setting of it
  const Result* best = nullptr;   // the family's fastest correct config
  const Result* top = nullptr;    // the fastest correct config of all (anchor 1)
  std::size_t correct = 0;        // correct configs measured in all
  double ratio = 0;               // its time over the best config's
  std::size_t measured = 0;       // correct configs measured in the family
  std::vector<std::size_t> differs;  // other parameters in which its best differs from the best
                                     // (empty: it is the best with only `value` changed)
};

// Parameters of this many values at most define families: on/off options and methods, not the
// numeric sizes of 4 values and more that the ordinary moves tune.
constexpr std::size_t kChallengeMaxValues = 3;
// A family counts while its best is at most kChallengeMaxRatio times slower than the best
// config, or kChallengeMaxRatioFew times while it has at most kChallengeFewConfigs correct
// configs: the best of so few says little about what the family can reach (on the A4000
// convolution the runs that stayed at 0.84-0.85 had measured 3 or 4 configs without shared
// memory, the optimum's family, the best at x1.7-1.9).
constexpr double kChallengeMaxRatio = 1.5;
constexpr double kChallengeMaxRatioFew = 2.0;
constexpr std::size_t kChallengeFewConfigs = 5;

// Among the settings other than the best config's of the parameters of 2 to kChallengeMaxValues
// values, those whose best correct config is within the ratios above; the one with the fewest
// correct configs measured (the least explored; ties: the closest). Its best may be the best
// config with only that setting changed: the family is then known only with settings chosen for
// another (on the A6000 convolution, shared memory off lost x1.16 as a one-step move from the
// best, with read-only loads on, and with them off it is the optimum). Nullopt when none
// qualifies.
std::optional<Challenger> find_challenger(const FeedbackInputs& in);

// The challenge round's own bullets of the "Next step" section (the bullets every round ends
// with follow them), and the family as the task names it ("use_method = 0").
std::string challenge_guidance(const Space& space, const Challenger& c);
std::string challenge_family(const Space& space, const Challenger& c);

}  // namespace tuna::llm
