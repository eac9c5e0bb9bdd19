// Provider selection, settings resolution, redaction and the client factory. The providers
// themselves live in http_provider.cpp (with wire_format.cpp), command_provider.cpp and
// replay_provider.cpp.
#include "llm/transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/ascii_text.hpp"
#include "llm/providers.hpp"
#include "llm/redaction.hpp"
#include "llm/wire_format.hpp"
#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

using nlohmann::json;

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string provider_list() {
  std::string out;
  for (const std::string& name : provider_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string env_value(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* value = getenv ? getenv(name) : nullptr;
  return value != nullptr ? std::string(value) : std::string();
}

double parse_timeout(const std::string& text, const char* variable) {
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value) && value > 0) return value;
  } catch (const std::exception&) {
  }
  throw UserError(fmt::format("{}='{}' is not a positive number of seconds: set it to e.g. 120",
                              variable, text));
}

bool is_official_openai(const std::string& base_url) {
  return starts_with(normalize_base_url(base_url), "https://api.openai.com");
}

void check_positive(double value, const char* what) {
  if (!(value > 0) || !std::isfinite(value))
    throw UserError(
        fmt::format("the LLM {} must be a positive number of seconds, not {}", what, value));
}

void check_http_settings(const WireFormat& format, const ProviderSettings& settings) {
  if (settings.model.empty())
    throw UserError(
        fmt::format("{}: no model given: set --llm-model or TUNA_LLM_MODEL", format.provider));
  std::string base = settings.base_url.empty() ? format.default_base : settings.base_url;
  if (base.empty())
    throw UserError(
        fmt::format("{}: no base URL: a Chat Completions server must be named, e.g. --llm-base-url "
                    "http://127.0.0.1:8000/v1 (vLLM), :8080 (llama.cpp) or :11434 (Ollama), or "
                    "TUNA_LLM_BASE_URL",
                    format.provider));
  std::string scheme = ascii_lower(base.substr(0, base.find("://") + 3));
  if (scheme != "http://" && scheme != "https://")
    throw UserError(fmt::format("{}: the base URL '{}' must start with http:// or https://",
                                format.provider,
                                scrub_secret(strip_url_credentials(base), settings.api_key)));
  // The official services always need a key; a server the user names may not (a local server).
  bool official =
      settings.base_url.empty() || normalize_base_url(settings.base_url) == format.default_base;
  if (official && settings.api_key.empty())
    throw UserError(fmt::format("{}: no API key: set TUNA_LLM_API_KEY or {} (or --llm-api-key)",
                                format.provider, format.key_variable));
}

}  // namespace

std::vector<std::string> provider_names() {
  return {"openai", "anthropic", "openai-chat", "command", "replay"};
}

std::string infer_provider(const std::string& model, const std::string& explicit_provider) {
  if (!explicit_provider.empty()) {
    std::string name = ascii_lower(explicit_provider);
    std::replace(name.begin(), name.end(), '_', '-');
    if (name == "openai" || name == "openai-responses" || name == "responses") return "openai";
    if (name == "anthropic" || name == "claude") return "anthropic";
    if (name == "openai-chat" || name == "chat" || name == "chat-completions") return "openai-chat";
    if (name == "command" || name == "replay") return name;
    throw UserError(fmt::format(
        "unknown LLM provider '{}': choose one of {} (--llm-provider or TUNA_LLM_PROVIDER)",
        explicit_provider, provider_list()));
  }
  std::string name = ascii_lower(model);
  if (starts_with(name, "claude") || starts_with(name, "anthropic/")) return "anthropic";
  for (const char* prefix : {"gpt-", "chatgpt-", "codex", "o1", "o3", "o4", "openai/"})
    if (starts_with(name, prefix)) return "openai";
  return "unsupported";
}

std::string wire_model_name(const std::string& model) {
  for (const char* prefix : {"openai/", "anthropic/"})
    if (starts_with(ascii_lower(model), prefix)) return model.substr(std::string(prefix).size());
  return model;
}

std::string normalize_base_url(const std::string& base_url) {
  std::string url = base_url;
  auto trim_slashes = [&url] {
    while (!url.empty() &&
           (url.back() == '/' || std::isspace(static_cast<unsigned char>(url.back()))))
      url.pop_back();
  };
  url.erase(0, url.find_first_not_of(" \t"));
  trim_slashes();
  // A full endpoint URL pasted from a server's docs is accepted too.
  for (const char* endpoint : {"/v1/responses", "/v1/messages", "/v1/chat/completions"})
    if (ends_with(url, endpoint)) url.resize(url.size() - std::string(endpoint).size());
  if (ends_with(url, "/v1")) url.resize(url.size() - 3);
  trim_slashes();
  return url;
}

std::string ProviderSettings::redacted() const {
  json out = {{"provider", provider},
              {"model", model},
              {"request_timeout_s", request_timeout_s},
              {"connect_timeout_s", connect_timeout_s},
              {"max_retries", max_retries},
              {"backoff_initial_s", backoff_initial_s},
              {"backoff_max_s", backoff_max_s},
              {"structured_output", structured_output}};
  if (!base_url.empty()) out["base_url"] = scrub_secret(strip_url_credentials(base_url), api_key);
  if (!api_key.empty()) out["api_key"] = "***";
  if (!command.empty()) out["command"] = scrub_secret(command, api_key);
  if (!replay.empty()) out["replay_exchanges"] = replay.size();
  return out.dump();
}

ProviderSettings resolve_settings(ProviderSettings from_flags,
                                  const std::function<const char*(const char*)>& getenv) {
  ProviderSettings settings = std::move(from_flags);
  auto fill = [&getenv](std::string& field, const char* variable) {
    if (field.empty()) field = env_value(getenv, variable);
  };
  fill(settings.provider, "TUNA_LLM_PROVIDER");
  fill(settings.model, "TUNA_LLM_MODEL");
  fill(settings.base_url, "TUNA_LLM_BASE_URL");
  fill(settings.api_key, "TUNA_LLM_API_KEY");
  fill(settings.command, "TUNA_LLM_COMMAND");
  if (settings.request_timeout_s == kDefaultRequestTimeoutS) {
    if (std::string text = env_value(getenv, "TUNA_LLM_TIMEOUT_S"); !text.empty())
      settings.request_timeout_s = parse_timeout(text, "TUNA_LLM_TIMEOUT_S");
  }

  std::string provider = infer_provider(settings.model, settings.provider);
  if (provider != "unsupported") settings.provider = provider;

  bool base_from_provider_variable = false;
  if (settings.base_url.empty()) {
    if (provider == "openai" || provider == "openai-chat")
      fill(settings.base_url, "OPENAI_BASE_URL");
    if (provider == "anthropic") fill(settings.base_url, "ANTHROPIC_BASE_URL");
    base_from_provider_variable = !settings.base_url.empty();
  }
  if (settings.api_key.empty()) {
    if (provider == "openai") fill(settings.api_key, "OPENAI_API_KEY");
    if (provider == "anthropic") fill(settings.api_key, "ANTHROPIC_API_KEY");
    // A local server must not receive the user's OpenAI key just because it is in the
    // environment; OpenAI itself, or a gateway named by OPENAI_BASE_URL, may.
    if (provider == "openai-chat" &&
        (base_from_provider_variable || is_official_openai(settings.base_url)))
      fill(settings.api_key, "OPENAI_API_KEY");
  }
  return settings;
}

std::unique_ptr<LlmClient> make_llm_client(const ProviderSettings& settings) {
  return make_llm_client(settings, TransportHooks{});
}

std::unique_ptr<LlmClient> make_llm_client(const ProviderSettings& settings,
                                           const TransportHooks& hooks) {
  std::string provider = infer_provider(settings.model, settings.provider);
  if (provider == "unsupported") {
    if (settings.model.empty())
      throw UserError(
          "no LLM model given: set --llm-model or TUNA_LLM_MODEL (e.g. gpt-5.5 or "
          "claude-opus-4-7), or name a provider with --llm-provider");
    throw UserError(fmt::format(
        "cannot tell which provider serves the model '{}': name one with --llm-provider or "
        "TUNA_LLM_PROVIDER ({}); for vLLM, llama.cpp or Ollama use openai-chat with "
        "--llm-base-url",
        settings.model, provider_list()));
  }
  check_positive(settings.request_timeout_s, "request timeout");
  check_positive(settings.connect_timeout_s, "connect timeout");
  if (settings.max_retries < 0 || settings.backoff_initial_s < 0 || settings.backoff_max_s < 0)
    throw UserError("the LLM retry settings must not be negative");

  ProviderSettings resolved = settings;
  resolved.provider = provider;
  if (provider == "replay") {
    if (settings.replay.empty())
      throw UserError(
          "replay: nothing recorded to replay: the run named for replay stored no LLM exchanges");
    return make_replay_client(resolved);
  }
  if (provider == "command") {
    if (settings.command.find_first_not_of(" \t") == std::string::npos)
      throw UserError(
          "command: no command given: set --llm-command or TUNA_LLM_COMMAND to a program that "
          "reads the request JSON on standard input and writes the reply on standard output");
    return make_command_client(resolved);
  }
  const WireFormat* format = find_wire_format(provider);
  TUNA_ASSERT(format != nullptr, "no wire format for provider " + provider);
  check_http_settings(*format, resolved);
  return make_http_client(*format, resolved, hooks);
}

std::string request_json_for_store(const LlmRequest& request, const std::string& model) {
  json messages = json::array();
  for (const Message& message : request.messages)
    messages.push_back({{"role", message.role}, {"content", message.content}});
  json out = {{"model", model},
              {"messages", std::move(messages)},
              {"max_output_tokens", request.max_output_tokens},
              {"json_schema", nullptr}};
  if (!request.json_schema.empty()) {
    json schema = json::parse(request.json_schema, nullptr, false);
    out["json_schema"] = schema.is_discarded() ? json(request.json_schema) : schema;
  }
  return out.dump();
}

}  // namespace tuna::llm
