#include "cli/llm_flags.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "tuna/errors.hpp"

namespace tuna::cli {
namespace {

bool env_set(const GetEnv& getenv, const char* name) {
  const char* value = getenv(name);
  return value && *value;
}

}  // namespace

void LlmFlags::add_to(CLI::App& cmd, bool with_replay_run) {
  const char* group = "LLM search (docs/llm.md)";
  auto add = [&](const std::string& name, auto& target, const std::string& help,
                 const char* env = nullptr) {
    CLI::Option* o = cmd.add_option(name, target, help)->group(group);
    if (env) o->envname(env);
    return o;
  };
  add("--llm-provider", provider,
      "openai, anthropic, openai-chat, command or replay (default: inferred from the model; "
      "$TUNA_LLM_PROVIDER)");
  add("--llm-model", model, "model name, e.g. gpt-5-mini or claude-haiku-4-5 ($TUNA_LLM_MODEL)");
  add("--llm-base-url", base_url,
      "API base URL, with or without /v1, e.g. http://127.0.0.1:8080 for a local server "
      "($TUNA_LLM_BASE_URL)");
  add("--llm-api-key-env", api_key_env,
      "NAME of the environment variable holding the API key (never the key itself: a command "
      "line is visible to other users)",
      "TUNA_LLM_API_KEY_ENV");
  add("--llm-command", command,
      "program for --llm-provider command: reads the request JSON on stdin, writes the reply on "
      "stdout ($TUNA_LLM_COMMAND)");
  add("--llm-configs-per-round", configs_per_round, "configs asked of the LLM per round (15)",
      "TUNA_LLM_CONFIGS_PER_ROUND")
      ->check(CLI::PositiveNumber);
  add("--llm-rounds", rounds, "LLM calls in all, round 0 included (4)",
      "TUNA_LLM_ROUNDS")
      ->check(CLI::PositiveNumber);
  add("--llm-initial-random", initial_random,
      "random seed configs measured with the default in round 0 (10)", "TUNA_LLM_INITIAL_RANDOM")
      ->check(CLI::NonNegativeNumber);
  add("--llm-prior-seeds", prior_seeds,
      "of those seed configs, how many are the priors' leaders when a --prior is given (3)",
      "TUNA_LLM_PRIOR_SEEDS")
      ->check(CLI::NonNegativeNumber);
  add("--llm-challenge-round", challenge_round,
      "the round (1 or later) in which the LLM tunes the least explored family that trails the "
      "best by at most x1.5 (x2 for a family of at most 5 configs), instead of refining its best "
      "configs (0: none; default 2 for the hybrid, 0 for llm)",
      "TUNA_LLM_CHALLENGE_ROUND")
      ->check(CLI::NonNegativeNumber);
  add("--hybrid-turn", hybrid_turn,
      "the hybrid's model-free evaluations between two LLM rounds (4)", "TUNA_HYBRID_TURN")
      ->check(CLI::PositiveNumber);
  add("--hybrid-llm-configs", hybrid_llm_configs,
      "configs the hybrid asks of the LLM in each round after round 0 (5)",
      "TUNA_HYBRID_LLM_CONFIGS")
      ->check(CLI::PositiveNumber);
  add("--hybrid-random", hybrid_random,
      "random configs the hybrid's surrogate measures after the LLM's first round, before its "
      "model ranks candidates (0)",
      "TUNA_HYBRID_RANDOM")
      ->check(CLI::NonNegativeNumber);
  add("--hybrid-relink", hybrid_relink,
      "every N-th proposal of the hybrid's surrogate is a relink move: another family's best "
      "config moved one parameter toward the best config (0: never)",
      "TUNA_HYBRID_RELINK")
      ->check(CLI::NonNegativeNumber);
  add("--hybrid-random-thresholds", hybrid_random_thresholds,
      "1: the hybrid's surrogate draws each split's threshold between the two values it "
      "separates, so that values never measured stay uncertain to its model (0)",
      "TUNA_HYBRID_RANDOM_THRESHOLDS")
      ->check(CLI::Range(0, 1));
  add("--hybrid-explore", hybrid_explore,
      "exploration weight of the hybrid's surrogate (1; larger explores more)",
      "TUNA_HYBRID_EXPLORE")
      ->check(CLI::NonNegativeNumber);
  add("--llm-effort", effort, "quick (1 round) or full (the defaults)", "TUNA_LLM_EFFORT")
      ->check(CLI::IsMember({"quick", "full"}));
  add("--llm-timeout", timeout_s, "seconds per LLM request, retries included (120)",
      "TUNA_LLM_TIMEOUT_S")
      ->check(CLI::PositiveNumber);
  add("--llm-compile-timeout", compile_timeout_s,
      "compile timeout cap in seconds while the LLM search explores (15; 0: no cap)",
      "TUNA_LLM_COMPILE_TIMEOUT_S")
      ->check(CLI::NonNegativeNumber);
  cmd.add_flag("--llm-no-structured-output", no_structured_output,
               "do not send the reply's JSON schema (for servers that reject it)")
      ->group(group)
      ->envname("TUNA_LLM_NO_STRUCTURED_OUTPUT");
  cmd.add_flag("--llm-no-fill", no_fill,
               "let the devices wait while the LLM thinks; by default they measure the "
               "surrogate's proposals (the hybrid's model-free search's) meanwhile, and the next "
               "prompt shows those results too")
      ->group(group)
      ->envname("TUNA_LLM_NO_FILL");
  add("--llm-fallback", fallback,
      "model-free strategy that continues the run if the provider fails (default: abort)",
      "TUNA_LLM_FALLBACK");
  if (with_replay_run) {
    add("--llm-replay", replay_run,
        "answer from the LLM exchanges recorded in this run of the store, without the network",
        "TUNA_LLM_REPLAY");
  }
}

bool LlmFlags::configured(const GetEnv& getenv) const {
  return !provider.empty() || !model.empty() || !command.empty() || replay_run.has_value() ||
         env_set(getenv, "TUNA_LLM_PROVIDER") || env_set(getenv, "TUNA_LLM_MODEL") ||
         env_set(getenv, "TUNA_LLM_COMMAND");
}

search::GuidedSearchSettings LlmFlags::resolve(const Store& store, const GetEnv& getenv) const {
  return resolve_from(&store, getenv);
}

search::GuidedSearchSettings LlmFlags::resolve(const GetEnv& getenv) const {
  return resolve_from(nullptr, getenv);
}

search::GuidedSearchSettings LlmFlags::resolve_from(const Store* store,
                                                    const GetEnv& getenv) const {
  search::GuidedSearchSettings out;
  out.llm = search::llm_guided_defaults(effort.empty() ? search::LlmEffort::Full
                                                       : search::parse_llm_effort(effort));
  out.rounds_explicit = rounds.has_value() || !effort.empty();
  out.configs_explicit = configs_per_round.has_value();
  out.initial_random_explicit = initial_random.has_value();
  out.challenge_round_explicit = challenge_round.has_value();
  if (hybrid_turn) out.hybrid_turn = static_cast<std::size_t>(*hybrid_turn);
  if (hybrid_llm_configs) out.hybrid_llm_configs = static_cast<std::size_t>(*hybrid_llm_configs);
  if (hybrid_explore) out.hybrid_explore = *hybrid_explore;
  if (hybrid_random) out.hybrid_random = static_cast<std::size_t>(*hybrid_random);
  if (hybrid_relink) out.hybrid_relink = static_cast<std::size_t>(*hybrid_relink);
  if (hybrid_random_thresholds) out.hybrid_random_thresholds = *hybrid_random_thresholds != 0;
  if (configs_per_round) out.llm.configs_per_round = *configs_per_round;
  if (rounds) out.llm.max_rounds = *rounds;
  if (initial_random) out.llm.initial_random_configs = *initial_random;
  if (prior_seeds) out.llm.prior_seed_leaders = *prior_seeds;
  if (challenge_round) out.llm.challenge_round = *challenge_round;
  if (compile_timeout_s) out.llm.compile_timeout_cap_s = *compile_timeout_s;
  out.llm.structured_output = !no_structured_output;
  out.llm.fallback_strategy = fallback;
  if (no_fill) out.llm.fill_while_waiting = false;

  llm::ProviderSettings flags;
  flags.provider = provider;
  flags.model = model;
  flags.base_url = base_url;
  flags.command = command;
  if (timeout_s) flags.request_timeout_s = *timeout_s;
  flags.structured_output = !no_structured_output;
  if (!api_key_env.empty()) {
    // The key is looked up here and goes only into the request header; the message names the
    // variable, never its value.
    const char* key = getenv(api_key_env.c_str());
    if (!key || !*key) {
      throw UserError(fmt::format("--llm-api-key-env names the environment variable '{}', which "
                                  "is not set or empty; export it with the API key, or drop the "
                                  "flag to use TUNA_LLM_API_KEY or the provider's own variable",
                                  api_key_env));
    }
    flags.api_key = key;
  }
  if (replay_run) {
    TUNA_ASSERT(store != nullptr, "--llm-replay RUN needs the store it reads the run from");
    flags.provider = "replay";
    flags.replay = store->llm_exchanges(*replay_run);
    if (flags.replay.empty()) {
      throw UserError(fmt::format("--llm-replay {}: the store {} holds no LLM exchanges for run "
                                  "{}; `tuna tune` prints the id of each run at its end (\"run: N\")",
                                  *replay_run, store->path().string(), *replay_run));
    }
    if (flags.model.empty()) flags.model = flags.replay.front().model;
  } else if (!command.empty() && provider.empty()) {
    flags.provider = "command";
  }
  out.provider = llm::resolve_settings(std::move(flags), getenv);
  // TUNA_LLM_COMMAND alone (no provider, no model that implies one) means the command provider.
  std::vector<std::string> names = llm::provider_names();
  if (std::find(names.begin(), names.end(), out.provider.provider) == names.end() &&
      !out.provider.command.empty()) {
    out.provider.provider = "command";
  }
  out.llm.request_timeout_s = out.provider.request_timeout_s;
  return out;
}

}  // namespace tuna::cli
