// The LLM transport without the network: settings resolution and precedence, provider
// inference, base URLs, redaction, replay, the command provider and the retry policy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "llm/redaction.hpp"
#include "llm/retry_policy.hpp"
#include "llm/transport.hpp"
#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

constexpr const char* kKey = "sk-FAKE-7f3e9a1c-DO-NOT-LEAK";

using Env = std::map<std::string, std::string>;

std::function<const char*(const char*)> env_of(const Env& env) {
  return [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

TEST(LlmProviderInference, FromModelNames) {
  EXPECT_EQ(infer_provider("gpt-5.5"), "openai");
  EXPECT_EQ(infer_provider("GPT-4o"), "openai");
  EXPECT_EQ(infer_provider("o3-mini"), "openai");
  EXPECT_EQ(infer_provider("o4-mini"), "openai");
  EXPECT_EQ(infer_provider("o1"), "openai");
  EXPECT_EQ(infer_provider("chatgpt-4o-latest"), "openai");
  EXPECT_EQ(infer_provider("codex-mini"), "openai");
  EXPECT_EQ(infer_provider("openai/gpt-5"), "openai");
  EXPECT_EQ(infer_provider("claude-opus-4-7"), "anthropic");
  EXPECT_EQ(infer_provider("anthropic/claude-sonnet-4-6"), "anthropic");
  EXPECT_EQ(infer_provider("qwen2.5-coder"), "unsupported");
  EXPECT_EQ(infer_provider(""), "unsupported");
}

TEST(LlmProviderInference, ExplicitProviderWinsAndAliasesAreAccepted) {
  EXPECT_EQ(infer_provider("gpt-5", "anthropic"), "anthropic");
  EXPECT_EQ(infer_provider("qwen", "openai-chat"), "openai-chat");
  EXPECT_EQ(infer_provider("qwen", "OpenAI_Chat"), "openai-chat");
  EXPECT_EQ(infer_provider("x", "openai_responses"), "openai");
  EXPECT_EQ(infer_provider("", "replay"), "replay");
  EXPECT_EQ(infer_provider("", "command"), "command");
  try {
    infer_provider("gpt-5", "gemini");
    FAIL() << "an unknown provider must be refused";
  } catch (const UserError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("gemini"), std::string::npos);
    EXPECT_NE(message.find("openai-chat"), std::string::npos);
    EXPECT_NE(message.find("TUNA_LLM_PROVIDER"), std::string::npos);
  }
  EXPECT_EQ(provider_names().size(), 5u);
}

TEST(LlmModelName, RoutingPrefixIsStripped) {
  EXPECT_EQ(wire_model_name("openai/gpt-5"), "gpt-5");
  EXPECT_EQ(wire_model_name("anthropic/claude-x"), "claude-x");
  EXPECT_EQ(wire_model_name("qwen/qwen3"), "qwen/qwen3");
}

TEST(LlmBaseUrl, AcceptedWithOrWithoutV1AndSlash) {
  for (const char* base :
       {"http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/",
        "http://h:8000/v1/chat/completions", " http://h:8000/v1// "}) {
    EXPECT_EQ(normalize_base_url(base), "http://h:8000") << base;
  }
  EXPECT_EQ(normalize_base_url("https://gw.example/openai/v1"), "https://gw.example/openai");
  EXPECT_EQ(normalize_base_url("https://api.openai.com"), "https://api.openai.com");
}

TEST(LlmSettings, FlagsWinOverTunaVariablesWhichWinOverProviderVariables) {
  Env env = {{"TUNA_LLM_PROVIDER", "anthropic"},       {"TUNA_LLM_MODEL", "claude-env"},
             {"TUNA_LLM_BASE_URL", "http://tuna-env"}, {"TUNA_LLM_API_KEY", "tuna-env-key"},
             {"OPENAI_API_KEY", "openai-env-key"},     {"ANTHROPIC_API_KEY", "anthropic-env-key"},
             {"OPENAI_BASE_URL", "http://openai-env"}};
  ProviderSettings flags;
  flags.provider = "openai";
  flags.model = "gpt-flag";
  flags.base_url = "http://flag";
  flags.api_key = "flag-key";
  ProviderSettings s = resolve_settings(flags, env_of(env));
  EXPECT_EQ(s.provider, "openai");
  EXPECT_EQ(s.model, "gpt-flag");
  EXPECT_EQ(s.base_url, "http://flag");
  EXPECT_EQ(s.api_key, "flag-key");

  s = resolve_settings(ProviderSettings{}, env_of(env));
  EXPECT_EQ(s.provider, "anthropic");
  EXPECT_EQ(s.model, "claude-env");
  EXPECT_EQ(s.base_url, "http://tuna-env");
  EXPECT_EQ(s.api_key, "tuna-env-key");
}

TEST(LlmSettings, ProviderVariablesChosenByProvider) {
  Env env = {{"OPENAI_API_KEY", "openai-env-key"},
             {"ANTHROPIC_API_KEY", "anthropic-env-key"},
             {"OPENAI_BASE_URL", "http://openai-env/v1"}};
  ProviderSettings flags;
  flags.model = "claude-opus-4-7";
  ProviderSettings s = resolve_settings(flags, env_of(env));
  EXPECT_EQ(s.provider, "anthropic");
  EXPECT_EQ(s.api_key, "anthropic-env-key");
  EXPECT_EQ(s.base_url, "");  // OPENAI_BASE_URL is not Anthropic's

  flags.model = "gpt-5.5";
  s = resolve_settings(flags, env_of(env));
  EXPECT_EQ(s.provider, "openai");
  EXPECT_EQ(s.api_key, "openai-env-key");
  EXPECT_EQ(s.base_url, "http://openai-env/v1");
}

TEST(LlmSettings, LocalChatServerDoesNotReceiveTheOpenAiKey) {
  Env env = {{"OPENAI_API_KEY", kKey}, {"TUNA_LLM_BASE_URL", "http://127.0.0.1:8000/v1"}};
  ProviderSettings flags;
  flags.provider = "openai-chat";
  flags.model = "qwen2.5-coder";
  ProviderSettings s = resolve_settings(flags, env_of(env));
  EXPECT_EQ(s.api_key, "");
  // OpenAI itself, named explicitly, does get it.
  flags.base_url = "https://api.openai.com/v1";
  EXPECT_EQ(resolve_settings(flags, env_of(env)).api_key, kKey);
}

TEST(LlmSettings, TimeoutAndCommandVariables) {
  Env env = {{"TUNA_LLM_TIMEOUT_S", "7.5"}, {"TUNA_LLM_COMMAND", "my-llm --fast"}};
  ProviderSettings s = resolve_settings(ProviderSettings{}, env_of(env));
  EXPECT_DOUBLE_EQ(s.request_timeout_s, 7.5);
  EXPECT_EQ(s.command, "my-llm --fast");
  ProviderSettings flags;
  flags.request_timeout_s = 30;
  EXPECT_DOUBLE_EQ(resolve_settings(flags, env_of(env)).request_timeout_s, 30);
  Env bad = {{"TUNA_LLM_TIMEOUT_S", "soon"}};
  EXPECT_THROW(resolve_settings(ProviderSettings{}, env_of(bad)), UserError);
}

TEST(LlmSettings, RedactedNeverShowsTheKey) {
  ProviderSettings s;
  s.provider = "openai";
  s.model = "gpt-5.5";
  s.api_key = kKey;
  s.base_url = std::string("https://user:") + kKey + "@gw.example/v1";
  std::string shown = s.redacted();
  EXPECT_EQ(shown.find(kKey), std::string::npos) << shown;
  auto json = nlohmann::json::parse(shown);
  EXPECT_EQ(json["api_key"], "***");
  EXPECT_EQ(json["model"], "gpt-5.5");
  EXPECT_EQ(json["base_url"], "https://gw.example/v1");
  s.api_key.clear();
  EXPECT_FALSE(nlohmann::json::parse(s.redacted()).contains("api_key"));
}

TEST(LlmRedaction, ScrubsEveryOccurrence) {
  EXPECT_EQ(scrub_secret("a KEY b KEYKEY", "KEY"), "a *** b ******");
  EXPECT_EQ(scrub_secret("nothing", ""), "nothing");
  EXPECT_EQ(strip_url_credentials("http://u:p@h:1/x@y"), "http://h:1/x@y");
  EXPECT_EQ(strip_url_credentials("http://h/x"), "http://h/x");
}

TEST(LlmClientFactory, RefusesSettingsThatCannotWork) {
  ProviderSettings s;
  EXPECT_THROW(make_llm_client(s), UserError);  // no model
  s.model = "mystery-model";
  try {
    make_llm_client(s);
    FAIL();
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("--llm-provider"), std::string::npos);
  }
  s.model = "gpt-5.5";
  try {
    make_llm_client(s);  // the official service without a key
    FAIL();
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("OPENAI_API_KEY"), std::string::npos);
  }
  s.provider = "openai-chat";
  EXPECT_THROW(make_llm_client(s), UserError);  // no base URL
  s.base_url = "ftp://h";
  EXPECT_THROW(make_llm_client(s), UserError);
  s.base_url = "http://127.0.0.1:9/v1";
  EXPECT_NO_THROW(make_llm_client(s));  // a local server needs no key
  s.provider = "command";
  EXPECT_THROW(make_llm_client(s), UserError);
  s.provider = "replay";
  EXPECT_THROW(make_llm_client(s), UserError);
}

TEST(LlmStoreJson, HoldsMessagesModelBudgetAndSchemaButNoKey) {
  LlmRequest request;
  request.messages = {{"system", "sys"}, {"user", "hello"}};
  request.max_output_tokens = 777;
  request.json_schema = R"({"type":"object"})";
  auto json = nlohmann::json::parse(request_json_for_store(request, "gpt-5.5"));
  EXPECT_EQ(json["model"], "gpt-5.5");
  EXPECT_EQ(json["messages"].size(), 2u);
  EXPECT_EQ(json["messages"][1]["content"], "hello");
  EXPECT_EQ(json["max_output_tokens"], 777);
  EXPECT_EQ(json["json_schema"]["type"], "object");
}

TEST(LlmReplay, AnswersInOrderThenSaysHowManyWereRecorded) {
  ProviderSettings s;
  s.provider = "replay";
  LlmExchange first, second;
  first.model = "gpt-5.5";
  first.response_text = "one";
  second.response_text = "two";
  s.replay = {first, second};
  auto client = make_llm_client(s);
  EXPECT_EQ(client->provider(), "replay");
  EXPECT_EQ(client->model(), "gpt-5.5");
  EXPECT_EQ(client->complete({}).text, "one");
  EXPECT_EQ(client->complete({}).text, "two");
  try {
    client->complete({});
    FAIL();
  } catch (const LlmError& error) {
    EXPECT_NE(std::string(error.what()).find("2 exchanges"), std::string::npos) << error.what();
  }
}

TEST(LlmReplay, RecordedFailureIsReplayed) {
  ProviderSettings s;
  s.provider = "replay";
  LlmExchange failed;
  failed.error = "openai: HTTP 500";
  s.replay = {failed};
  auto client = make_llm_client(s);
  EXPECT_THROW(client->complete({}), LlmError);
}

class TempScript {
 public:
  explicit TempScript(const std::string& body) {
    path_ = std::filesystem::temp_directory_path() / ("tuna-llm-test-" + std::to_string(getpid()) +
                                                      "-" + std::to_string(counter_++) + ".sh");
    std::ofstream(path_) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all);
  }
  ~TempScript() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(LlmCommand, RequestOnStdinReplyFromStdoutOnly) {
  // Answers with the request itself; chatter on stderr must not reach the reply.
  TempScript script("echo 'thinking...' >&2\ncat\n");
  ProviderSettings s;
  s.provider = "command";
  s.model = "local-model";
  s.command = script.path() + " --some-arg";
  auto client = make_llm_client(s);
  LlmRequest request;
  request.messages = {{"system", "s"}, {"user", "u"}};
  request.max_output_tokens = 600;
  request.json_schema = R"({"type":"object"})";
  LlmReply reply = client->complete(request);
  auto json = nlohmann::json::parse(reply.text);
  EXPECT_EQ(json["model"], "local-model");
  EXPECT_EQ(json["messages"].size(), 2u);
  EXPECT_EQ(json["messages"][1]["content"], "u");
  EXPECT_EQ(json["max_output_tokens"], 600);
  EXPECT_EQ(json["json_schema"]["type"], "object");
  EXPECT_EQ(reply.text.find("thinking"), std::string::npos);
}

TEST(LlmCommand, FailureCarriesTheLastStderrLine) {
  TempScript script("echo 'first line' >&2\necho 'model not loaded' >&2\nexit 3\n");
  ProviderSettings s;
  s.provider = "command";
  s.command = script.path();
  try {
    make_llm_client(s)->complete({});
    FAIL();
  } catch (const LlmError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("model not loaded"), std::string::npos) << message;
    EXPECT_NE(message.find("exit status 3"), std::string::npos) << message;
  }
}

TEST(LlmCommand, TimeoutIsAnLlmError) {
  TempScript script("echo 'still loading' >&2\nsleep 5\n");
  ProviderSettings s;
  s.provider = "command";
  s.command = script.path();
  s.request_timeout_s = 0.3;
  try {
    make_llm_client(s)->complete({});
    FAIL();
  } catch (const LlmError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("timed out"), std::string::npos) << message;
    EXPECT_NE(message.find("still loading"), std::string::npos) << message;
  }
}

HttpOutcome answered(int status, std::string body = "",
                     std::map<std::string, std::string> headers = {}) {
  HttpOutcome outcome;
  outcome.response.status = status;
  outcome.response.body = std::move(body);
  outcome.response.headers = std::move(headers);
  return outcome;
}

TEST(LlmRetryPolicy, WhichOutcomesAreRetried) {
  for (int status : {408, 409, 429, 500, 502, 503, 504, 529})
    EXPECT_TRUE(decide_retry(answered(status)).retry) << status;
  for (int status : {200, 400, 401, 403, 404, 413, 422})
    EXPECT_FALSE(decide_retry(answered(status)).retry) << status;
  HttpOutcome failure;
  failure.failure = HttpFailure::kTimeout;
  EXPECT_TRUE(decide_retry(failure).retry);
  failure.failure = HttpFailure::kConnection;
  EXPECT_TRUE(decide_retry(failure).retry);
  failure.failure = HttpFailure::kTls;
  EXPECT_FALSE(decide_retry(failure).retry);
  EXPECT_TRUE(decide_retry(answered(400, "", {{"x-should-retry", "true"}})).retry);
  EXPECT_FALSE(decide_retry(answered(503, "", {{"x-should-retry", "false"}})).retry);
}

TEST(LlmRetryPolicy, QuotaExhaustedIsNotRetried) {
  auto quota = decide_retry(answered(
      429, R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota",
               "code":"insufficient_quota"}})"));
  EXPECT_FALSE(quota.retry);
  EXPECT_TRUE(quota.quota_exhausted);
  auto billing = decide_retry(answered(
      429, R"({"type":"error","error":{"type":"billing_error","message":"credit balance low"}})"));
  EXPECT_FALSE(billing.retry);
  auto rate = decide_retry(
      answered(429, R"({"error":{"message":"Rate limit reached","type":"rate_limit_error"}})"));
  EXPECT_TRUE(rate.retry);
  EXPECT_FALSE(rate.quota_exhausted);
}

TEST(LlmRetryPolicy, RetryAfterForms) {
  EXPECT_DOUBLE_EQ(*retry_after_s({{"retry-after", "3"}}, 0), 3.0);
  EXPECT_DOUBLE_EQ(*retry_after_s({{"retry-after", "0.25"}}, 0), 0.25);
  EXPECT_DOUBLE_EQ(*retry_after_s({{"retry-after-ms", "150"}, {"retry-after", "9"}}, 0), 0.15);
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  EXPECT_DOUBLE_EQ(
      *retry_after_s({{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}, 1445412480.0 - 12), 12.0);
  EXPECT_DOUBLE_EQ(
      *retry_after_s({{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}, 1445412480.0 + 100), 0.0);
  EXPECT_FALSE(retry_after_s({{"retry-after", "soon"}}, 0));
  EXPECT_FALSE(retry_after_s({{"retry-after", "-1"}}, 0));
  EXPECT_FALSE(retry_after_s({}, 0));
}

TEST(LlmRetryPolicy, BackoffIsCappedExponentialWithFullJitter) {
  EXPECT_DOUBLE_EQ(backoff_delay_s(0, 1, 30, 0.999999), 0.999999);
  EXPECT_DOUBLE_EQ(backoff_delay_s(3, 1, 30, 0.5), 4.0);
  EXPECT_DOUBLE_EQ(backoff_delay_s(10, 1, 30, 0.5), 15.0);  // capped at 30 before the draw
  EXPECT_DOUBLE_EQ(backoff_delay_s(1000, 1, 30, 1.0), 30.0);
  EXPECT_DOUBLE_EQ(backoff_delay_s(2, 1, 30, 0.0), 0.0);
  for (int retry = 0; retry < 20; ++retry) {
    for (double u : {0.0, 0.3, 0.9999}) {
      double d = backoff_delay_s(retry, 0.5, 8, u);
      EXPECT_GE(d, 0.0);
      EXPECT_LE(d, std::min(8.0, 0.5 * std::pow(2.0, retry)));
    }
  }
  // The server's retry-after wins over the backoff but never exceeds the cap.
  EXPECT_DOUBLE_EQ(retry_delay_s(0, 1, 30, 0.5, 7.0), 7.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(0, 1, 30, 0.5, 3600.0), 30.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(0, 1, 30, 0.5, std::nullopt), 0.5);
}

}  // namespace
}  // namespace tuna::llm
