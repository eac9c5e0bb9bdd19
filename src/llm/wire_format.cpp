#include "llm/wire_format.hpp"

#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

using nlohmann::json;

// System messages are hoisted out of the conversation by the Responses and Messages APIs.
std::string joined_system_text(const std::vector<Message>& messages) {
  std::string out;
  for (const Message& message : messages) {
    if (message.role != "system") continue;
    if (!out.empty()) out += "\n\n";
    out += message.content;
  }
  return out;
}

json parsed_schema(const LlmRequest& request) {
  json schema = json::parse(request.json_schema, nullptr, false);
  TUNA_ASSERT(!schema.is_discarded() && schema.is_object(),
              "the LLM request's json_schema is not a JSON object");
  return schema;
}

std::int64_t token_count(const json& usage, const char* key) {
  if (!usage.is_object()) return 0;
  auto it = usage.find(key);
  return it != usage.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

const json& usage_of(const json& body) {
  static const json kNone;
  auto it = body.find("usage");
  return it != body.end() ? *it : kNone;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// --- OpenAI Responses -------------------------------------------------------------------------

json responses_body(const LlmRequest& request, const std::string& model,
                    const BodyOptions& options) {
  json input = json::array();
  for (const Message& message : request.messages) {
    if (message.role == "system") continue;
    bool assistant = message.role == "assistant";
    input.push_back({{"role", assistant ? "assistant" : "user"},
                     {"content", json::array({{{"type", assistant ? "output_text" : "input_text"},
                                               {"text", message.content}}})}});
  }
  json body = {{"model", model},
               {"input", std::move(input)},
               {"max_output_tokens", request.max_output_tokens},
               {"store", false}};
  if (std::string system = joined_system_text(request.messages); !system.empty())
    body["instructions"] = system;
  if (options.structured) {
    body["text"] = {{"format",
                     {{"type", "json_schema"},
                      {"name", kSchemaName},
                      {"schema", parsed_schema(request)},
                      {"strict", request.strict_schema}}}};
  }
  return body;
}

Headers bearer_headers(const std::string& api_key) {
  Headers headers = {{"Content-Type", "application/json"}};
  if (!api_key.empty()) headers.emplace_back("Authorization", "Bearer " + api_key);
  return headers;
}

ParsedReply parse_responses(const json& body) {
  ParsedReply reply;
  auto output = body.find("output");
  if (output == body.end() || !output->is_array()) {
    std::string status = string_field(body, "status");
    if (status == "failed" && body.contains("error") && body["error"].is_object())
      reply.missing = "no 'output' (status failed: " + string_field(body["error"], "message") + ")";
    else
      reply.missing = "no 'output' array";
    return reply;
  }
  for (const json& item : *output) {
    if (!item.is_object() || string_field(item, "type") != "message") continue;
    auto content = item.find("content");
    if (content == item.end() || !content->is_array()) continue;
    for (const json& part : *content) {
      if (!part.is_object()) continue;
      std::string type = string_field(part, "type");
      // Some proxies label the parts "text".
      if (type == "output_text" || type == "text") reply.text += string_field(part, "text");
      if (type == "refusal") reply.refusal += string_field(part, "refusal");
    }
  }
  if (string_field(body, "status") == "incomplete") reply.truncated = true;
  const json& usage = usage_of(body);
  reply.input_tokens = token_count(usage, "input_tokens");
  reply.output_tokens = token_count(usage, "output_tokens");
  return reply;
}

// --- Anthropic Messages -----------------------------------------------------------------------

json messages_body(const LlmRequest& request, const std::string& model,
                   const BodyOptions& options) {
  json messages = json::array();
  for (const Message& message : request.messages) {
    if (message.role == "system") continue;
    messages.push_back({{"role", message.role == "assistant" ? "assistant" : "user"},
                        {"content", message.content}});
  }
  json body = {{"model", model},
               {"messages", std::move(messages)},
               {"max_tokens", request.max_output_tokens}};
  if (std::string system = joined_system_text(request.messages); !system.empty())
    body["system"] = system;
  if (options.structured)
    body["output_config"] = {
        {"format", {{"type", "json_schema"}, {"schema", parsed_schema(request)}}}};
  return body;
}

Headers anthropic_headers(const std::string& api_key) {
  Headers headers = {{"content-type", "application/json"}, {"anthropic-version", "2023-06-01"}};
  if (!api_key.empty()) headers.emplace_back("x-api-key", api_key);
  return headers;
}

ParsedReply parse_messages(const json& body) {
  ParsedReply reply;
  auto content = body.find("content");
  if (content == body.end() || !content->is_array()) {
    reply.missing = "no 'content' array";
    return reply;
  }
  for (const json& block : *content) {
    if (block.is_object() && string_field(block, "type") == "text")
      reply.text += string_field(block, "text");
  }
  std::string stop = string_field(body, "stop_reason");
  reply.truncated = stop == "max_tokens" || stop == "model_context_window_exceeded";
  if (stop == "refusal" && reply.text.empty()) reply.refusal = "stop_reason refusal";
  const json& usage = usage_of(body);
  reply.input_tokens = token_count(usage, "input_tokens");
  reply.output_tokens = token_count(usage, "output_tokens");
  return reply;
}

// --- Chat Completions -------------------------------------------------------------------------

json chat_body(const LlmRequest& request, const std::string& model, const BodyOptions& options) {
  json messages = json::array();
  for (const Message& message : request.messages)
    messages.push_back({{"role", message.role}, {"content", message.content}});
  json body = {{"model", model}, {"messages", std::move(messages)}, {"stream", false}};
  // api.openai.com deprecated max_tokens (reasoning models refuse it); local servers
  // (Ollama in particular) know only max_tokens.
  body[options.official_openai ? "max_completion_tokens" : "max_tokens"] =
      request.max_output_tokens;
  if (options.structured) {
    // The nested form: llama.cpp silently ignores a schema placed beside "type".
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema",
                                {{"name", kSchemaName},
                                 {"schema", parsed_schema(request)},
                                 {"strict", request.strict_schema}}}};
  }
  return body;
}

ParsedReply parse_chat(const json& body) {
  ParsedReply reply;
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    reply.missing = "no 'choices' array with a first choice";
    return reply;
  }
  const json& choice = (*choices)[0];
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    reply.missing = "no 'choices[0].message' object";
    return reply;
  }
  auto content = message->find("content");
  if (content != message->end() && content->is_string()) {
    reply.text = content->get<std::string>();
  } else if (content == message->end() || !content->is_null()) {
    reply.missing = "no 'choices[0].message.content' string";
    return reply;
  }
  if (reply.text.empty()) reply.refusal = string_field(*message, "refusal");
  reply.truncated = string_field(choice, "finish_reason") == "length";
  const json& usage = usage_of(body);
  reply.input_tokens = token_count(usage, "prompt_tokens");
  reply.output_tokens = token_count(usage, "completion_tokens");
  return reply;
}

constexpr WireFormat kWireFormats[] = {
    {"openai", "responses", "https://api.openai.com", "OPENAI_API_KEY", "json_schema|text.format",
     responses_body, bearer_headers, parse_responses},
    {"anthropic", "messages", "https://api.anthropic.com", "ANTHROPIC_API_KEY",
     "output_config|json_schema", messages_body, anthropic_headers, parse_messages},
    {"openai-chat", "chat/completions", "", "OPENAI_API_KEY", "response_format", chat_body,
     bearer_headers, parse_chat},
};

}  // namespace

const WireFormat* find_wire_format(const std::string& provider) {
  for (const WireFormat& format : kWireFormats)
    if (provider == format.provider) return &format;
  return nullptr;
}

}  // namespace tuna::llm
