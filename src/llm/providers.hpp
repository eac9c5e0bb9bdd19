#pragma once
// The provider implementations behind make_llm_client (transport.cpp), one factory each. They
// take settings already checked there (a model, a key where one is needed, a base URL).
#include <memory>

#include "llm/transport.hpp"
#include "llm/wire_format.hpp"

namespace tuna::llm {

// openai, anthropic, openai-chat: JSON over HTTP with retries (http_provider.cpp).
std::unique_ptr<LlmClient> make_http_client(const WireFormat& format,
                                            const ProviderSettings& settings,
                                            const TransportHooks& hooks);
// An external program (command_provider.cpp).
std::unique_ptr<LlmClient> make_command_client(const ProviderSettings& settings);
// Recorded exchanges, in order (replay_provider.cpp).
std::unique_ptr<LlmClient> make_replay_client(const ProviderSettings& settings);

}  // namespace tuna::llm
