#pragma once
// The prompt texts, in our own words, with the seed's content (reference/helion-autotuner.md
// §2). Pure functions of explicit inputs: the same inputs give the same bytes, so prompts are
// unit-tested and a run can be replayed.
#include <string>
#include <vector>

#include "llm/workload.hpp"
#include "tuna/device.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::llm {

// Role, the space as the source of truth, the meaning of this kernel's parameters (their
// descriptions), and the output contract: one JSON object {"configs": [...]}, sparse diffs from
// the default, only names and values from the space.
std::string build_system_prompt(const KernelSpec& spec, const Space& space);

struct InitialPromptInputs {
  const KernelSpec& spec;
  const Space& space;
  const DeviceInfo& device;
  std::string kernel_source;     // the kernel file's text
  int configs_per_round = 15;
  double compile_timeout_s = 0;  // 0: not mentioned
};
// Families near the default, balanced, aggressive, sized to configs_per_round.
std::string build_initial_search_guidance(const InitialPromptInputs& in);
std::string build_initial_prompt(const InitialPromptInputs& in);

struct RefinementPromptInputs {
  const Space& space;
  const Config& default_config;
  const std::vector<Result>& results;  // one latest Result per config
  int round = 1;
  int configs_per_round = 15;
  double compile_timeout_s = 0;
};
// Search state, anchors, results, top patterns, failures, resources, next-step guidance (backs
// off when a third or more of the configs failed), the task.
std::string build_refinement_prompt(const RefinementPromptInputs& in);

// The JSON schema of the reply, for providers that support structured output.
std::string response_json_schema(const Space& space);

}  // namespace tuna::llm
