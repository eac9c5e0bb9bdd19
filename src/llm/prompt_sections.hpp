#pragma once
// Pieces the prompt builders share (prompting.cpp, prompt_guidance.cpp, prompt_refinement.cpp).
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tuna/prior.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::llm {

// "## Title\nbody" sections joined by blank lines; sections with an empty body are left out.
std::string join_sections(const std::vector<std::pair<std::string, std::string>>& sections);
// "- BM: power of two from 16 to 128: 16, 32, 64, 128; default 16. rows of C per block"
std::string describe_parameter(const Parameter& p);
// The parameters, the space's size, then a "## Constraints" section with each constraint's name
// and expression.
std::string describe_space(const KernelSpec& spec, const Space& space);
// How many of `n` configs go to the near-default, balanced and aggressive families (40/40/20,
// at least one near the default).
struct FamilySplit {
  int near_default = 0;
  int balanced = 0;
  int aggressive = 0;
};
FamilySplit split_families(int n);
// True when a third or more of the measured configs failed: the next round backs off.
bool should_back_off(std::size_t failed, std::size_t total);

// How many of a prior's fastest configs the first prompt lists, and at most how many more: the
// fastest of each other setting of its two-way choices.
inline constexpr std::size_t kPriorConfigsShown = 10;
inline constexpr std::size_t kPriorFamiliesShown = 8;
// The fastest configs of each prior (what the same kernel measured elsewhere), then its fastest
// of each other setting of the two-way choices, as changes from the default with their time
// relative to the prior's fastest; empty without a prior.
std::string describe_priors(const Space& space,
                            const std::vector<std::shared_ptr<const Prior>>& priors);

}  // namespace tuna::llm
