#pragma once
// Talking to LLM providers. One interface (LlmClient), five providers:
//   openai       OpenAI Responses API (POST {base}/v1/responses)
//   anthropic    Anthropic Messages API (POST {base}/v1/messages)
//   openai-chat  Chat Completions (POST {base}/v1/chat/completions): vLLM, llama.cpp, Ollama
//   command      an external program: the request JSON on stdin, the reply on stdout
//   replay       answers from exchanges recorded in the store, in order, without the network
// HTTP goes through libcurl. Retries: 408, 409, 429 and 5xx and connection failures, with
// capped exponential backoff and jitter, honouring retry-after; never a 429 that says the
// quota is exhausted. The API key is sent in a header and appears nowhere else: not in errors,
// logs, the store or reports (ProviderSettings::redacted() is what may be shown).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tuna/store.hpp"

namespace tuna::llm {

struct Message {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

inline constexpr double kDefaultRequestTimeoutS = 120;

struct ProviderSettings {
  std::string provider;  // empty: inferred from the model name
  std::string model;
  std::string base_url;  // empty: the provider's default; with or without trailing /v1
  std::string api_key;   // secret: never print, log or store
  std::string command;   // for provider "command": the program and its arguments
  double request_timeout_s =
      kDefaultRequestTimeoutS;    // per attempt; also the command provider's time limit
  double connect_timeout_s = 10;  // per attempt, capped at request_timeout_s
  int max_retries = 4;            // retries after the first attempt
  double backoff_initial_s = 1;
  double backoff_max_s = 30;
  bool structured_output = true;    // send a JSON schema where the provider supports it
  std::vector<LlmExchange> replay;  // for provider "replay": the recorded exchanges, in order

  // The settings as JSON for logs and the store, with the key replaced by "***" (or absent).
  std::string redacted() const;
};

// Flags first, then TUNA_LLM_PROVIDER / TUNA_LLM_MODEL / TUNA_LLM_BASE_URL / TUNA_LLM_API_KEY,
// then the provider's own variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENAI_BASE_URL).
// `getenv` is injected so tests control the environment.
// Also TUNA_LLM_TIMEOUT_S (used when the flag's timeout is the default, 120 s) and
// TUNA_LLM_COMMAND. ANTHROPIC_BASE_URL is honoured for anthropic like OPENAI_BASE_URL for openai.
// OPENAI_API_KEY is given to openai-chat only when its base URL is api.openai.com or came from
// OPENAI_BASE_URL: a local server never receives the user's OpenAI key by accident.
// The provider, when not given, is filled in from the model name where it can be inferred.
// Throws UserError for an unknown provider name or a TUNA_LLM_TIMEOUT_S that is not a number.
ProviderSettings resolve_settings(ProviderSettings from_flags,
                                  const std::function<const char*(const char*)>& getenv);

// "openai" for gpt-*/o1/o3/o4 models, "anthropic" for claude-*, else "unsupported"; an
// explicit provider wins. Throws UserError for an unknown explicit provider name.
std::string infer_provider(const std::string& model, const std::string& explicit_provider = {});
std::vector<std::string> provider_names();

// The model name as sent: "openai/gpt-5" and "anthropic/claude-x" lose their routing prefix.
std::string wire_model_name(const std::string& model);

// "https://host/v1/", "https://host/v1" and "https://host" all give "https://host": the client
// appends "/v1/<endpoint>" itself.
std::string normalize_base_url(const std::string& base_url);

struct LlmRequest {
  std::vector<Message> messages;
  int max_output_tokens = 2176;
  std::string json_schema;  // empty: no structured output requested; else a JSON Schema object
  // true: ask for strict schema adherence (OpenAI's "strict"). Only for schemas that follow the
  // strict rules (every property required, additionalProperties false), else the server says 400.
  bool strict_schema = false;
};

struct LlmReply {
  std::string text;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double latency_s = 0;  // all attempts together, the waits between them included
  int attempts = 1;
  bool truncated = false;   // the provider stopped at the token budget: the JSON may be cut off
  bool structured = false;  // the reply was constrained by the JSON schema
};

// A provider failure the search cannot continue past (after retries): bad key, quota,
// unreachable server, malformed envelope. The message names the provider, the URL (never the
// key) and what to do.
class LlmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  virtual std::string provider() const = 0;
  virtual std::string model() const = 0;
  // Thread-safe for one call at a time (round 0 calls it from another thread). Throws LlmError.
  virtual LlmReply complete(const LlmRequest& request) = 0;
};

// Throws UserError for settings that cannot work (no model, unsupported provider, a key needed
// but missing, no command for "command", nothing recorded for "replay").
std::unique_ptr<LlmClient> make_llm_client(const ProviderSettings& settings);

// What a client needs from its surroundings, injectable so tests are fast and deterministic.
struct TransportHooks {
  std::function<void(double seconds)> sleep;  // empty: std::this_thread::sleep_for
  std::uint64_t jitter_seed = 0;              // 0: seeded from std::random_device
  std::function<void(const std::string&)>
      log;  // retry notices (never contain the key); may be empty
};
std::unique_ptr<LlmClient> make_llm_client(const ProviderSettings& settings,
                                           const TransportHooks& hooks);

// The request as stored in the LLM exchange table (messages, model, token budget; no key):
// {"model", "messages": [{"role", "content"}], "max_output_tokens", "json_schema"}. It is also
// what the command provider writes to its program's standard input.
std::string request_json_for_store(const LlmRequest& request, const std::string& model);

}  // namespace tuna::llm
