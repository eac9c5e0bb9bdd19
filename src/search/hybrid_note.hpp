#pragma once
// What the hybrid tells the LLM before each of its later rounds: what the model-free search
// measured since the LLM's last round (how many, its best and whether that beat the best so far)
// and which values of each parameter no measured config uses yet, the regions neither has tried.
// The refinement prompt that follows lists every result; this note only points at the new ones.
#include <string>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna::search {

// `all`: every result so far (one per config); `turn`: the model-free search's results since the
// LLM's last round; `best_before_ms`: the best time before that turn (infinity when none).
std::string hybrid_note(const Space& space, const std::vector<Result>& all,
                        const std::vector<Result>& turn, double best_before_ms,
                        const std::string& model_free_name);

}  // namespace tuna::search
