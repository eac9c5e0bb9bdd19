// The LLM transport against a real HTTP server on 127.0.0.1 (tests/support/fake_llm_server):
// the request each protocol sends, the reply it reads, retries, timeouts, dropped connections,
// malformed replies, and the API key kept out of every message.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "llm/transport.hpp"
#include "support/fake_llm_server.hpp"

namespace tuna::llm {
namespace {

using nlohmann::json;
using test_support::FakeLlmServer;
using test_support::Protocol;

constexpr const char* kKey = "sk-FAKE-7f3e9a1c-DO-NOT-LEAK";
constexpr const char* kSchema =
    R"({"type":"object","properties":{"configs":{"type":"array"}},"required":["configs"]})";

class LlmHttp : public ::testing::Test {
 protected:
  ProviderSettings settings_for(const FakeLlmServer& server, const std::string& model) {
    ProviderSettings s;
    s.model = model;
    s.api_key = kKey;
    s.base_url = server.base_url() + "/v1/";
    s.request_timeout_s = 5;
    s.max_retries = 3;
    s.backoff_initial_s = 0.25;
    s.backoff_max_s = 2;
    return s;
  }

  std::unique_ptr<LlmClient> client(const ProviderSettings& settings) {
    TransportHooks hooks;
    hooks.sleep = [this](double seconds) { sleeps_.push_back(seconds); };
    hooks.jitter_seed = 42;
    hooks.log = [this](const std::string& line) { logs_.push_back(line); };
    return make_llm_client(settings, hooks);
  }

  static LlmRequest conversation() {
    LlmRequest request;
    request.messages = {{"system", "You tune kernels."},
                        {"user", "Propose configs."},
                        {"assistant", R"({"configs": []})"},
                        {"user", "Results: ... propose more."}};
    request.max_output_tokens = 2176;
    request.json_schema = kSchema;
    return request;
  }

  // Runs a request expected to fail; returns the message after checking it holds no key.
  std::string failure_of(LlmClient& llm, const LlmRequest& request = conversation()) {
    try {
      llm.complete(request);
    } catch (const LlmError& error) {
      std::string message = error.what();
      EXPECT_EQ(message.find(kKey), std::string::npos) << message;
      return message;
    }
    ADD_FAILURE() << "the request should have failed";
    return {};
  }

  void TearDown() override {
    for (const std::string& line : logs_) EXPECT_EQ(line.find(kKey), std::string::npos) << line;
  }

  std::vector<double> sleeps_;
  std::vector<std::string> logs_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(LlmHttp, OpenAiResponsesRequestShapeAndReply) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.push_reply(R"({"configs": [{"block": 64}]})", 1234, 56);
  auto llm = client(settings_for(server, "gpt-5.5"));
  EXPECT_EQ(llm->provider(), "openai");
  LlmReply reply = llm->complete(conversation());
  EXPECT_EQ(reply.text, R"({"configs": [{"block": 64}]})");
  EXPECT_EQ(reply.input_tokens, 1234);
  EXPECT_EQ(reply.output_tokens, 56);
  EXPECT_EQ(reply.attempts, 1);
  EXPECT_TRUE(reply.structured);
  EXPECT_GT(reply.latency_s, 0);

  ASSERT_EQ(server.request_count(), 1u);
  auto request = server.requests()[0];
  EXPECT_EQ(request.path, "/v1/responses");
  EXPECT_EQ(request.header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_TRUE(contains(request.header("content-type"), "application/json"));
  const json& body = request.json;
  EXPECT_EQ(body["model"], "gpt-5.5");
  EXPECT_EQ(body["instructions"], "You tune kernels.");
  EXPECT_EQ(body["max_output_tokens"], 2176);
  EXPECT_EQ(body["store"], false);
  ASSERT_EQ(body["input"].size(), 3u);
  EXPECT_EQ(body["input"][0]["role"], "user");
  EXPECT_EQ(body["input"][0]["content"][0]["type"], "input_text");
  EXPECT_EQ(body["input"][0]["content"][0]["text"], "Propose configs.");
  EXPECT_EQ(body["input"][1]["role"], "assistant");
  EXPECT_EQ(body["input"][1]["content"][0]["type"], "output_text");
  const json& format = body["text"]["format"];
  EXPECT_EQ(format["type"], "json_schema");
  EXPECT_EQ(format["name"], "kernel_configs");
  EXPECT_EQ(format["schema"], json::parse(kSchema));
  EXPECT_EQ(format["strict"], false);
  ASSERT_EQ(request.turns.size(), 4u);  // the server sees the whole conversation
  EXPECT_EQ(request.turns[0].role, "system");
}

TEST_F(LlmHttp, AnthropicMessagesRequestShapeAndReply) {
  FakeLlmServer server(Protocol::AnthropicMessages);
  server.push_reply("the reply", 300, 20);
  auto llm = client(settings_for(server, "claude-opus-4-7"));
  EXPECT_EQ(llm->provider(), "anthropic");
  LlmReply reply = llm->complete(conversation());
  EXPECT_EQ(reply.text, "the reply");
  EXPECT_EQ(reply.input_tokens, 300);
  EXPECT_EQ(reply.output_tokens, 20);

  auto request = server.requests().at(0);
  EXPECT_EQ(request.path, "/v1/messages");
  EXPECT_EQ(request.header("x-api-key"), kKey);
  EXPECT_EQ(request.header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(request.header("authorization"), "");
  const json& body = request.json;
  EXPECT_EQ(body["model"], "claude-opus-4-7");
  EXPECT_EQ(body["system"], "You tune kernels.");
  EXPECT_EQ(body["max_tokens"], 2176);
  ASSERT_EQ(body["messages"].size(), 3u);
  for (const json& message : body["messages"]) EXPECT_NE(message["role"], "system");
  EXPECT_EQ(body["messages"][2]["content"], "Results: ... propose more.");
  EXPECT_EQ(body["output_config"]["format"]["type"], "json_schema");
  EXPECT_EQ(body["output_config"]["format"]["schema"], json::parse(kSchema));
}

TEST_F(LlmHttp, ChatCompletionsRequestShapeAndReplyWithoutKey) {
  FakeLlmServer server(Protocol::ChatCompletions);
  server.push_reply("chat reply", 90, 9);
  ProviderSettings s = settings_for(server, "qwen2.5-coder");
  s.provider = "openai-chat";
  s.api_key.clear();  // a local server
  auto llm = client(s);
  LlmReply reply = llm->complete(conversation());
  EXPECT_EQ(reply.text, "chat reply");
  EXPECT_EQ(reply.input_tokens, 90);
  EXPECT_EQ(reply.output_tokens, 9);

  auto request = server.requests().at(0);
  EXPECT_EQ(request.path, "/v1/chat/completions");
  EXPECT_EQ(request.header("authorization"), "");
  const json& body = request.json;
  EXPECT_EQ(body["model"], "qwen2.5-coder");
  ASSERT_EQ(body["messages"].size(), 4u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["max_tokens"], 2176);
  EXPECT_FALSE(body.contains("max_completion_tokens"));
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["name"], "kernel_configs");
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"], json::parse(kSchema));
}

TEST_F(LlmHttp, ChatFallsBackWithoutResponseFormatWhenRefused) {
  FakeLlmServer server(Protocol::ChatCompletions);
  server.push_status(400, R"({"error":{"message":"unknown field: response_format","code":400}})");
  server.push_reply("first");
  server.push_reply("second");
  ProviderSettings s = settings_for(server, "local");
  s.provider = "openai-chat";
  auto llm = client(s);
  LlmReply reply = llm->complete(conversation());
  EXPECT_EQ(reply.text, "first");
  EXPECT_FALSE(reply.structured);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(llm->complete(conversation()).text, "second");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].json.contains("response_format"));
  EXPECT_FALSE(requests[1].json.contains("response_format"));
  EXPECT_FALSE(requests[2].json.contains("response_format"));  // remembered
}

TEST_F(LlmHttp, RateLimitWithRetryAfterThenSuccess) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.push_status(429, R"({"error":{"message":"Rate limit reached","type":"rate_limit_error"}})",
                     {{"retry-after", "1.5"}});
  server.push_reply("ok");
  auto llm = client(settings_for(server, "gpt-5.5"));
  LlmReply reply = llm->complete(conversation());
  EXPECT_EQ(reply.text, "ok");
  EXPECT_EQ(reply.attempts, 2);
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_DOUBLE_EQ(sleeps_[0], 1.5);  // the server's wait, not the backoff
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_TRUE(contains(logs_[0], "HTTP 429")) << logs_[0];
}

TEST_F(LlmHttp, RetryAfterIsCappedAtTheBackoffMaximum) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.push_status(503, R"({"error":{"message":"overloaded"}})", {{"retry-after", "600"}});
  server.push_reply("ok");
  auto llm = client(settings_for(server, "gpt-5.5"));
  EXPECT_EQ(llm->complete(conversation()).text, "ok");
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_DOUBLE_EQ(sleeps_[0], 2.0);
}

TEST_F(LlmHttp, QuotaExhaustedIsNotRetried) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.push_status(429, R"({"error":{"message":"You exceeded your current quota",
                                       "type":"insufficient_quota","code":"insufficient_quota"}})");
  server.push_reply("never sent");
  auto llm = client(settings_for(server, "gpt-5.5"));
  std::string message = failure_of(*llm);
  EXPECT_TRUE(contains(message, "quota")) << message;
  EXPECT_TRUE(contains(message, "billing")) << message;
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(LlmHttp, ServerErrorThenSuccessWithJitteredBackoff) {
  FakeLlmServer server(Protocol::AnthropicMessages);
  server.push_status(500, R"({"type":"error","error":{"type":"api_error","message":"boom"}})");
  server.push_status(529, R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})");
  server.push_reply("ok");
  auto llm = client(settings_for(server, "claude-sonnet-4-6"));
  LlmReply reply = llm->complete(conversation());
  EXPECT_EQ(reply.attempts, 3);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_GE(sleeps_[0], 0.0);
  EXPECT_LE(sleeps_[0], 0.25);
  EXPECT_GE(sleeps_[1], 0.0);
  EXPECT_LE(sleeps_[1], 0.5);
}

TEST_F(LlmHttp, PersistentServerErrorGivesUpAfterTheRetries) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  for (int i = 0; i < 5; ++i) server.push_status(502, "<html>Bad Gateway</html>");
  ProviderSettings s = settings_for(server, "gpt-5.5");
  s.max_retries = 2;
  auto llm = client(s);
  std::string message = failure_of(*llm);
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_TRUE(contains(message, "gave up after 3 attempts")) << message;
  EXPECT_TRUE(contains(message, "HTTP 502")) << message;
  EXPECT_TRUE(contains(message, server.base_url() + "/v1/responses")) << message;
}

TEST_F(LlmHttp, UnauthorizedFailsAtOnceNamingTheKeyToCheck) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  // Some gateways echo the key back in the error; it must still not surface.
  server.push_status(401,
                     json{{"error",
                           {{"message", std::string("Incorrect API key provided: ") + kKey},
                            {"type", "invalid_request_error"},
                            {"code", "invalid_api_key"}}}}
                         .dump(),
                     {{"x-request-id", "req_123"}});
  auto llm = client(settings_for(server, "gpt-5.5"));
  std::string message = failure_of(*llm);
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(contains(message, "HTTP 401")) << message;
  EXPECT_TRUE(contains(message, "Incorrect API key provided: ***")) << message;
  EXPECT_TRUE(contains(message, "TUNA_LLM_API_KEY")) << message;
  EXPECT_TRUE(contains(message, "OPENAI_API_KEY")) << message;
  EXPECT_TRUE(contains(message, "req_123")) << message;
}

TEST_F(LlmHttp, NotFoundNamesTheModelAndUrl) {
  FakeLlmServer server(Protocol::AnthropicMessages);
  server.push_status(
      404, R"({"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}})");
  auto llm = client(settings_for(server, "claude-nope"));
  std::string message = failure_of(*llm);
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(contains(message, "model name 'claude-nope'")) << message;
  EXPECT_TRUE(contains(message, "/v1/messages")) << message;
}

TEST_F(LlmHttp, SlowReplyIsRetriedThenFailsWithATimeout) {
  FakeLlmServer server(Protocol::ChatCompletions);
  server.push_slow_reply(std::chrono::milliseconds(3000), "too late");
  server.push_slow_reply(std::chrono::milliseconds(3000), "too late");
  ProviderSettings s = settings_for(server, "local");
  s.provider = "openai-chat";
  s.request_timeout_s = 0.3;
  s.max_retries = 1;
  auto llm = client(s);
  auto start = std::chrono::steady_clock::now();
  std::string message = failure_of(*llm);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_TRUE(contains(message, "gave up after 2 attempts")) << message;
  EXPECT_TRUE(contains(message, "within the request timeout of 0.3 s")) << message;
  EXPECT_LT(elapsed, 2.5);
}

TEST_F(LlmHttp, SlowReplyThenPromptReplySucceeds) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.push_slow_reply(std::chrono::milliseconds(3000), "too late");
  server.push_reply("in time");
  ProviderSettings s = settings_for(server, "gpt-5.5");
  s.request_timeout_s = 0.3;
  LlmReply reply = client(s)->complete(conversation());
  EXPECT_EQ(reply.text, "in time");
  EXPECT_EQ(reply.attempts, 2);
}

TEST_F(LlmHttp, DroppedConnectionIsRetried) {
  FakeLlmServer server(Protocol::AnthropicMessages);
  server.push_drop();
  server.push_reply("after the drop");
  LlmReply reply = client(settings_for(server, "claude-opus-4-7"))->complete(conversation());
  EXPECT_EQ(reply.text, "after the drop");
  EXPECT_EQ(reply.attempts, 2);
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_TRUE(contains(logs_[0], "connection")) << logs_[0];
}

TEST_F(LlmHttp, ConnectionRefusedGivesUp) {
  std::string base;
  {
    FakeLlmServer gone(Protocol::OpenAiResponses);
    base = gone.base_url();
  }
  ProviderSettings s;
  s.model = "gpt-5.5";
  s.api_key = kKey;
  s.base_url = base;
  s.max_retries = 1;
  std::string message = failure_of(*client(s));
  EXPECT_TRUE(contains(message, "connection to " + base + "/v1/responses failed")) << message;
}

TEST_F(LlmHttp, MalformedEnvelopesAreClearErrors) {
  {
    FakeLlmServer server(Protocol::OpenAiResponses);
    server.push_status(200, "<html>captive portal</html>", {});
    std::string message = failure_of(*client(settings_for(server, "gpt-5.5")));
    EXPECT_TRUE(contains(message, "openai: malformed reply")) << message;
    EXPECT_TRUE(contains(message, "not a JSON object")) << message;
    EXPECT_EQ(server.request_count(), 1u);
  }
  {
    FakeLlmServer server(Protocol::OpenAiResponses);
    server.push_status(200, R"({"id":"resp_1","status":"completed"})");
    std::string message = failure_of(*client(settings_for(server, "gpt-5.5")));
    EXPECT_TRUE(contains(message, "no 'output' array")) << message;
  }
  {
    FakeLlmServer server(Protocol::AnthropicMessages);
    server.push_status(200, R"({"type":"message","content":"not a list"})");
    std::string message = failure_of(*client(settings_for(server, "claude-opus-4-7")));
    EXPECT_TRUE(contains(message, "anthropic: malformed reply")) << message;
    EXPECT_TRUE(contains(message, "'content'")) << message;
  }
  {
    FakeLlmServer server(Protocol::ChatCompletions);
    server.push_status(200, R"({"choices":[]})");
    ProviderSettings s = settings_for(server, "local");
    s.provider = "openai-chat";
    std::string message = failure_of(*client(s));
    EXPECT_TRUE(contains(message, "openai-chat: malformed reply")) << message;
    EXPECT_TRUE(contains(message, "'choices'")) << message;
  }
}

TEST_F(LlmHttp, TruncatedReplyIsFlagged) {
  FakeLlmServer server(Protocol::ChatCompletions);
  json body = FakeLlmServer::envelope(Protocol::ChatCompletions, R"({"configs": [{"blo)", 10, 5);
  body["choices"][0]["finish_reason"] = "length";
  server.push_status(200, body.dump());
  ProviderSettings s = settings_for(server, "local");
  s.provider = "openai-chat";
  LlmReply reply = client(s)->complete(conversation());
  EXPECT_TRUE(reply.truncated);
  EXPECT_EQ(reply.text, R"({"configs": [{"blo)");
}

TEST_F(LlmHttp, NoSchemaMeansNoStructuredOutputField) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.push_reply("plain");
  ProviderSettings s = settings_for(server, "gpt-5.5");
  LlmRequest request = conversation();
  request.json_schema.clear();
  EXPECT_FALSE(client(s)->complete(request).structured);
  EXPECT_FALSE(server.requests().at(0).json.contains("text"));
}

TEST_F(LlmHttp, ResponderComputesRepliesAndCallsWorkFromAnotherThread) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  server.set_responder([](const test_support::RecordedRequest& request) {
    return "turns=" + std::to_string(request.turns.size());
  });
  auto llm = client(settings_for(server, "gpt-5.5"));
  auto pending = std::async(std::launch::async, [&] { return llm->complete(conversation()); });
  EXPECT_EQ(pending.get().text, "turns=4");
}

TEST_F(LlmHttp, KeyAbsentFromEveryMessageAcrossFailures) {
  FakeLlmServer server(Protocol::OpenAiResponses);
  std::string echo = json{{"error", {{"message", std::string("bad key ") + kKey}}}}.dump();
  server.push_status(500, echo);
  server.push_status(503, echo, {{"retry-after", "0"}});
  server.push_drop();
  server.push_status(403, echo);
  ProviderSettings s = settings_for(server, "gpt-5.5");
  s.base_url = server.base_url();
  auto llm = client(s);
  std::string message = failure_of(*llm);  // checks the key's absence
  EXPECT_TRUE(contains(message, "HTTP 403")) << message;
  EXPECT_EQ(logs_.size(), 3u);  // TearDown checks each line
  EXPECT_EQ(s.redacted().find(kKey), std::string::npos);
  for (const auto& request : server.requests())  // the key went only into its header
    EXPECT_EQ(request.body.find(kKey), std::string::npos);
}

}  // namespace
}  // namespace tuna::llm
