#pragma once
// The prompt texts, in our own words, with the seed's content (reference/helion-autotuner.md
// §2). Pure functions of explicit inputs: the same inputs give the same bytes, so prompts are
// unit-tested and a run can be replayed.
#include <memory>
#include <string>
#include <vector>

#include "llm/workload.hpp"
#include "tuna/device.hpp"
#include "tuna/result.hpp"
#include "tuna/prior.hpp"
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
  // The kernel file's text; empty when there is none (a simulated kernel replayed from a
  // recording without its source): the prompt then says so and shows nothing in its place.
  std::string kernel_source;
  int configs_per_round = 15;
  double compile_timeout_s = 0;  // 0: not mentioned
  // What the same kernel measured elsewhere (tuna/prior.hpp); nullptr or empty: no section.
  const std::vector<std::shared_ptr<const Prior>>* priors = nullptr;
};
// Families near the default, balanced, aggressive, sized to configs_per_round.
std::string build_initial_search_guidance(const InitialPromptInputs& in);
std::string build_initial_prompt(const InitialPromptInputs& in);

struct Challenger;

struct RefinementPromptInputs {
  const Space& space;
  const Config& default_config;
  const std::vector<Result>& results;  // one latest Result per config
  int round = 1;
  int configs_per_round = 15;
  double compile_timeout_s = 0;
  // Optional (nullptr: left out). With the spec, the best config's achieved GFLOP/s and GB/s
  // from its metrics; with the device too, the share of the device's peaks, and resource
  // checks of suggested moves against the device's limits (threads, registers, shared memory).
  const KernelSpec* spec = nullptr;
  const DeviceInfo* device = nullptr;
  // A challenge round's family (find_challenger, feedback_challenger.hpp; nullptr: an ordinary
  // round): the guidance and the task ask for configs of that family instead of refinements of
  // the anchors.
  const Challenger* challenger = nullptr;
};
// Search state (with the timing noise), anchors, every measured config (ok ones with time,
// spread and ratio to the best; failures with status, class and reason, and where failures
// concentrate), achieved performance, top patterns, the pairs of parameters that interact
// (best time per pair of values), resources, next-step guidance with ranked
// one-parameter moves (backs off when a third or more of the configs failed), the task.
std::string build_refinement_prompt(const RefinementPromptInputs& in);

// The JSON schema of the reply, for providers that support structured output.
std::string response_json_schema(const Space& space);

}  // namespace tuna::llm
