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
  double ratio = 0;               // its time over the best config's
  std::size_t measured = 0;       // correct configs measured in the family
  std::vector<std::size_t> differs;  // other parameters in which its best differs from the best
};

// Parameters of this many values at most define families: on/off options and methods, not the
// numeric sizes of 4 values and more that the ordinary moves tune.
constexpr std::size_t kChallengeMaxValues = 3;
// A family counts while its best is at most this many times slower than the best config.
constexpr double kChallengeMaxRatio = 1.5;

// Among the settings other than the best config's of the parameters of 2 to kChallengeMaxValues
// values, those whose best correct config is within kChallengeMaxRatio of the best and differs
// from it in at least one other parameter; the one with the fewest correct configs measured
// (the least explored; ties: the closest). Nullopt when none qualifies.
std::optional<Challenger> find_challenger(const FeedbackInputs& in);

// The challenge round's own bullets of the "Next step" section (the bullets every round ends
// with follow them), and the family as the task names it ("use_method = 0").
std::string challenge_guidance(const FeedbackInputs& in, const Challenger& c);
std::string challenge_family(const Space& space, const Challenger& c);

}  // namespace tuna::llm
