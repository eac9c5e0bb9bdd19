#pragma once
// The final shootout: the best few configs are timed again in interleaved rounds (A B C, A B C,
// ...), so drift of clocks or temperature hits them all alike, and the winner is chosen on the
// pooled times rather than on one measurement taken earlier under other conditions.
#include <vector>

#include "tuna/evaluator.hpp"

namespace tuna::search {

// Returns the finalists with their pooled shootout times, best first. A finalist whose
// re-timing fails keeps that failure (it is then ranked last).
std::vector<Result> run_shootout(Evaluator& evaluator, const std::vector<Result>& finalists,
                                 int rounds, const TimingOptions& timing);

}  // namespace tuna::search
