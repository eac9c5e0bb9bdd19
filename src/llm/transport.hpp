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
  std::string role;     // "system", "user" or "assistant"
  std::string content;
};

struct ProviderSettings {
  std::string provider;          // empty: inferred from the model name
  std::string model;
  std::string base_url;          // empty: the provider's default; with or without trailing /v1
  std::string api_key;           // secret: never print, log or store
  std::string command;           // for provider "command": the program and its arguments
  double request_timeout_s = 120;
  int max_retries = 4;
  double backoff_initial_s = 1;
  double backoff_max_s = 30;
  bool structured_output = true; // send a JSON schema where the provider supports it
  std::vector<LlmExchange> replay;  // for provider "replay": the recorded exchanges, in order

  // The settings as JSON for logs and the store, with the key replaced by "***" (or absent).
  std::string redacted() const;
};

// Flags first, then TUNA_LLM_PROVIDER / TUNA_LLM_MODEL / TUNA_LLM_BASE_URL / TUNA_LLM_API_KEY,
// then the provider's own variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENAI_BASE_URL).
// `getenv` is injected so tests control the environment.
ProviderSettings resolve_settings(ProviderSettings from_flags,
                                  const std::function<const char*(const char*)>& getenv);

// "openai" for gpt-*/o1/o3/o4 models, "anthropic" for claude-*, else "unsupported"; an
// explicit provider wins. Throws UserError for an unknown explicit provider name.
std::string infer_provider(const std::string& model, const std::string& explicit_provider = {});
std::vector<std::string> provider_names();

struct LlmRequest {
  std::vector<Message> messages;
  int max_output_tokens = 2176;
  std::string json_schema;  // empty: no structured output requested
};

struct LlmReply {
  std::string text;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double latency_s = 0;   // all attempts together
  int attempts = 1;
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

// The request as stored in the LLM exchange table (messages, model, token budget; no key).
std::string request_json_for_store(const LlmRequest& request, const std::string& model);

}  // namespace tuna::llm
