#pragma once
// The LLM flags of `tuna tune` (docs/llm.md). Each has a TUNA_LLM_* variable; a flag wins over
// its variable. The API key is never a flag: a command line is visible to every user of the
// machine (`ps`, /proc/PID/cmdline) and lands in shell history, so the key comes from the
// environment only: TUNA_LLM_API_KEY, the provider's own variable (OPENAI_API_KEY,
// ANTHROPIC_API_KEY), or a variable named by --llm-api-key-env.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "search/registry.hpp"
#include "tuna/store.hpp"

namespace tuna::cli {

using GetEnv = std::function<const char*(const char*)>;

struct LlmFlags {
  std::string provider, model, base_url, api_key_env, command;
  std::optional<int> configs_per_round, rounds, initial_random;
  std::optional<int> prior_seeds;  // of the random seeds, the priors' leaders
  std::optional<int> hybrid_turn, hybrid_llm_configs;  // the hybrid's turn sizes
  std::optional<double> hybrid_explore;                // its surrogate's exploration weight
  std::optional<int> hybrid_random;                    // its surrogate's random configs
  std::optional<int> hybrid_relink;                    // its surrogate's relink moves
  std::optional<int> hybrid_random_thresholds;         // its trees' thresholds drawn in the gap
  std::optional<int> challenge_round;                  // the LLM's challenge round
  std::string effort;  // "", "quick" or "full"
  std::optional<double> timeout_s, compile_timeout_s;
  bool no_structured_output = false;
  bool no_fill = false;  // the devices wait for the model (LlmGuidedOptions::fill_while_waiting)
  std::string fallback;
  std::optional<std::int64_t> replay_run;

  // `with_replay_run` false leaves out --llm-replay RUN, for a command whose --llm-replay means
  // something else (`tuna compare`: a transcript file).
  void add_to(CLI::App& cmd, bool with_replay_run = true);
  // A provider or model set by flag or TUNA_LLM_* variable (or a command or replay run): then
  // `--strategy auto` means the hybrid.
  bool configured(const GetEnv& getenv) const;
  // The search options and provider settings, environment and store consulted (the replay's
  // exchanges are read from `store`). Throws UserError for settings that cannot work.
  search::GuidedSearchSettings resolve(const Store& store, const GetEnv& getenv) const;
  // The same for a command without --llm-replay RUN (no store consulted).
  search::GuidedSearchSettings resolve(const GetEnv& getenv) const;

 private:
  search::GuidedSearchSettings resolve_from(const Store* store, const GetEnv& getenv) const;
};

}  // namespace tuna::cli
