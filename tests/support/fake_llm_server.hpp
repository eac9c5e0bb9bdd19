#pragma once
// A fake LLM provider for tests: a real HTTP server on 127.0.0.1 (an ephemeral port), on a
// thread of its own, speaking one protocol at its real path:
//   OpenAiResponses    POST /v1/responses
//   AnthropicMessages  POST /v1/messages
//   ChatCompletions    POST /v1/chat/completions
// Every request is recorded (path, headers, body) for assertions. Answers come from a script, a
// queue of steps consumed one per request: a reply text (wrapped in the protocol's envelope with
// token counts), a raw status/body/headers, a delay before a reply (for timeouts), or a dropped
// connection (closed without a byte of reply). When the queue is empty the responder, if set,
// computes a reply text from the request; without one the server answers 400 "script exhausted".
//
//   FakeLlmServer server(Protocol::OpenAiResponses);
//   server.push_status(429, R"({"error":{"message":"slow down"}})", {{"retry-after", "0"}});
//   server.push_reply(R"({"configs": []})");
//   settings.base_url = server.base_url();   // "http://127.0.0.1:PORT"
//   ... server.requests()[1].json["input"] ...
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}

namespace tuna::test_support {

enum class Protocol { OpenAiResponses, AnthropicMessages, ChatCompletions };

// The path the protocol is served at, e.g. "/v1/responses".
std::string protocol_path(Protocol protocol);

struct ChatTurn {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  nlohmann::json json;          // the parsed body; null when it is not JSON
  std::vector<ChatTurn> turns;  // the conversation, whatever the protocol (system first)

  std::string header(const std::string& lower_case_name) const;
};

struct ScriptStep {
  enum class Kind { kReply, kRaw, kDrop };
  Kind kind = Kind::kReply;
  std::string text;  // kReply: the model's text; kRaw: the body
  int status = 200;  // kRaw
  std::vector<std::pair<std::string, std::string>> headers;  // kRaw
  std::string content_type = "application/json";             // kRaw
  std::int64_t input_tokens = 0, output_tokens = 0;          // kReply
  std::chrono::milliseconds delay{0};                        // before answering (any kind)
};

class FakeLlmServer {
 public:
  // Computes the model's reply text from a request (used once the queue is empty).
  using Responder = std::function<std::string(const RecordedRequest&)>;

  explicit FakeLlmServer(Protocol protocol);
  ~FakeLlmServer();  // stops the server, cutting short any scripted delay
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  Protocol protocol() const { return protocol_; }
  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT", without /v1

  void push_reply(std::string text, std::int64_t input_tokens = 120,
                  std::int64_t output_tokens = 40);
  void push_status(int status, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {});
  // A reply that comes only after `delay` (longer than the client's timeout: a timeout).
  void push_slow_reply(std::chrono::milliseconds delay, std::string text);
  void push_drop();
  void push(ScriptStep step);
  void set_responder(Responder responder);

  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;
  std::size_t steps_left() const;

  // The protocol's success envelope around `text`, as the server sends it.
  static nlohmann::json envelope(Protocol protocol, const std::string& text,
                                 std::int64_t input_tokens, std::int64_t output_tokens);

 private:
  struct Answer;
  Answer answer(const RecordedRequest& request);
  bool wait_or_stop(std::chrono::milliseconds delay);

  Protocol protocol_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::deque<ScriptStep> script_;
  Responder responder_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace tuna::test_support
