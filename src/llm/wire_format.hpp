#pragma once
// The three HTTP wire formats as one table: where to POST, which headers carry the key, how the
// provider-neutral request becomes a body, and how a 200 reply becomes text and token counts.
// Adding an OpenAI- or Anthropic-compatible provider is a row, not a class.
// Formats as described in shared/reference/llm-protocols.md §1-3.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "llm/transport.hpp"

namespace tuna::llm {

struct BodyOptions {
  bool structured = false;       // send the request's JSON schema as structured output
  bool official_openai = false;  // api.openai.com: Chat Completions wants max_completion_tokens
};

struct ParsedReply {
  std::string text;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  bool truncated = false;
  std::string refusal;  // non-empty: the model declined, with its reason
  std::string missing;  // non-empty: the envelope is malformed; says what was missing
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct WireFormat {
  const char* provider;      // "openai", "anthropic", "openai-chat"
  const char* endpoint;      // appended to the base as "/v1/<endpoint>"
  const char* default_base;  // empty: the user must give a base URL
  const char* key_variable;  // the provider's own environment variable for the key
  // Words that, in a 400 reply, mean the server refused the structured-output field itself; the
  // request is then sent once more without it (older or local servers).
  const char* schema_field;
  nlohmann::json (*build_body)(const LlmRequest& request, const std::string& model,
                               const BodyOptions& options);
  Headers (*auth_headers)(const std::string& api_key);
  ParsedReply (*parse_reply)(const nlohmann::json& body);
};

// nullptr for providers that are not HTTP (command, replay) and unknown names.
const WireFormat* find_wire_format(const std::string& provider);

// The name given to the JSON schema where the protocol wants one.
inline constexpr const char* kSchemaName = "kernel_configs";

}  // namespace tuna::llm
