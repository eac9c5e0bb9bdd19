#include "support/fake_llm_server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace tuna::test_support {
namespace {

using nlohmann::json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Text of a message content: a string, or a list of parts/blocks with "text".
std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const json& part : content)
      if (part.is_object() && part.contains("text") && part["text"].is_string())
        out += part["text"].get<std::string>();
  }
  return out;
}

std::vector<ChatTurn> conversation(Protocol protocol, const json& body) {
  std::vector<ChatTurn> turns;
  if (!body.is_object()) return turns;
  const char* system_field = protocol == Protocol::OpenAiResponses     ? "instructions"
                             : protocol == Protocol::AnthropicMessages ? "system"
                                                                       : nullptr;
  if (system_field != nullptr && body.contains(system_field))
    turns.push_back({"system", content_text(body[system_field])});
  const char* list_field = protocol == Protocol::OpenAiResponses ? "input" : "messages";
  if (!body.contains(list_field)) return turns;
  const json& list = body[list_field];
  if (list.is_string()) {
    turns.push_back({"user", list.get<std::string>()});
    return turns;
  }
  if (!list.is_array()) return turns;
  for (const json& item : list) {
    if (!item.is_object()) continue;
    std::string role = item.value("role", std::string());
    turns.push_back({role, item.contains("content") ? content_text(item["content"]) : ""});
  }
  return turns;
}

int local_port_of(int fd, bool peer) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (rc != 0) return -1;
  if (address.ss_family == AF_INET)
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return -1;
}

// cpp-httplib gives a handler no access to its socket, so the connection to drop is found among
// this process's descriptors by its two ports. shutdown() (not close) leaves the descriptor to
// httplib, which closes it when its reply write fails; the client sees the connection end
// without a byte of reply.
void drop_connection(int server_port, int client_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
    int fd = std::atoi(entry->d_name);
    if (fd == dirfd(dir)) continue;
    if (local_port_of(fd, false) == server_port && local_port_of(fd, true) == client_port) {
      shutdown(fd, SHUT_RDWR);
      break;
    }
  }
  closedir(dir);
}

}  // namespace

std::string protocol_path(Protocol protocol) {
  switch (protocol) {
    case Protocol::OpenAiResponses:
      return "/v1/responses";
    case Protocol::AnthropicMessages:
      return "/v1/messages";
    case Protocol::ChatCompletions:
      return "/v1/chat/completions";
  }
  return {};
}

std::string RecordedRequest::header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

struct FakeLlmServer::Answer {
  ScriptStep step;
  std::string body;
};

FakeLlmServer::FakeLlmServer(Protocol protocol)
    : protocol_(protocol), server_(std::make_unique<httplib::Server>()) {
  // One request per connection: a client's retry is then always a fresh connection, as when
  // a real server drops one.
  server_->set_keep_alive_max_count(1);
  server_->Post(protocol_path(protocol),
                [this](const httplib::Request& req, httplib::Response& res) {
                  RecordedRequest record;
                  record.method = req.method;
                  record.path = req.path;
                  for (const auto& [name, value] : req.headers) record.headers[lower(name)] = value;
                  record.body = req.body;
                  record.json = json::parse(req.body, nullptr, false);
                  if (record.json.is_discarded()) record.json = nullptr;
                  record.turns = conversation(protocol_, record.json);
                  {
                    std::lock_guard<std::mutex> lock(mutex_);
                    requests_.push_back(record);
                  }
                  Answer answer_now = answer(record);
                  const ScriptStep& step = answer_now.step;
                  if (step.delay.count() > 0 && !wait_or_stop(step.delay)) {
                    res.status = 503;
                    return;
                  }
                  if (step.kind == ScriptStep::Kind::kDrop) {
                    drop_connection(port_, req.remote_port);
                    return;
                  }
                  res.status = step.status;
                  for (const auto& [name, value] : step.headers)
                    res.set_header(name.c_str(), value);
                  res.set_content(answer_now.body, step.content_type.c_str());
                });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("fake LLM server: cannot bind a port on 127.0.0.1");
  thread_ = std::thread([this] {
    // A write to a dropped connection raises SIGPIPE; blocked here (and so in the worker
    // threads, which inherit this mask) it cannot end the test program.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
    server_->listen_after_bind();
  });
  // stop() before the accept loop starts would be lost and the destructor would hang.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeLlmServer::~FakeLlmServer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeLlmServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeLlmServer::push(ScriptStep step) {
  std::lock_guard<std::mutex> lock(mutex_);
  script_.push_back(std::move(step));
}

void FakeLlmServer::push_reply(std::string text, std::int64_t input_tokens,
                               std::int64_t output_tokens) {
  ScriptStep step;
  step.text = std::move(text);
  step.input_tokens = input_tokens;
  step.output_tokens = output_tokens;
  push(std::move(step));
}

void FakeLlmServer::push_status(int status, std::string body,
                                std::vector<std::pair<std::string, std::string>> headers) {
  ScriptStep step;
  step.kind = ScriptStep::Kind::kRaw;
  step.status = status;
  step.text = std::move(body);
  step.headers = std::move(headers);
  push(std::move(step));
}

void FakeLlmServer::push_slow_reply(std::chrono::milliseconds delay, std::string text) {
  ScriptStep step;
  step.text = std::move(text);
  step.delay = delay;
  push(std::move(step));
}

void FakeLlmServer::push_drop() {
  ScriptStep step;
  step.kind = ScriptStep::Kind::kDrop;
  push(std::move(step));
}

void FakeLlmServer::set_responder(Responder responder) {
  std::lock_guard<std::mutex> lock(mutex_);
  responder_ = std::move(responder);
}

std::vector<RecordedRequest> FakeLlmServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::size_t FakeLlmServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

std::size_t FakeLlmServer::steps_left() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return script_.size();
}

FakeLlmServer::Answer FakeLlmServer::answer(const RecordedRequest& request) {
  Answer out;
  Responder responder;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!script_.empty()) {
      out.step = std::move(script_.front());
      script_.pop_front();
    } else if (responder_) {
      responder = responder_;
    } else {
      out.step.kind = ScriptStep::Kind::kRaw;
      out.step.status = 400;
      out.step.text = json{{"error",
                            {{"message", "fake LLM server: the test's script has no step left"},
                             {"type", "invalid_request_error"}}}}
                          .dump();
    }
  }
  if (responder) {
    // Called without the lock: a responder may inspect requests().
    out.step.text = responder(request);
    out.step.input_tokens = 120;
    out.step.output_tokens = 40;
  }
  if (out.step.kind == ScriptStep::Kind::kReply)
    out.body =
        envelope(protocol_, out.step.text, out.step.input_tokens, out.step.output_tokens).dump();
  else
    out.body = out.step.text;
  return out;
}

bool FakeLlmServer::wait_or_stop(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !stop_cv_.wait_for(lock, delay, [this] { return stopping_; });
}

json FakeLlmServer::envelope(Protocol protocol, const std::string& text, std::int64_t input_tokens,
                             std::int64_t output_tokens) {
  switch (protocol) {
    case Protocol::OpenAiResponses:
      return {{"id", "resp_fake"},
              {"object", "response"},
              {"status", "completed"},
              {"output",
               json::array({{{"type", "reasoning"}, {"id", "rs_fake"}, {"summary", json::array()}},
                            {{"type", "message"},
                             {"id", "msg_fake"},
                             {"role", "assistant"},
                             {"status", "completed"},
                             {"content", json::array({{{"type", "output_text"},
                                                       {"text", text},
                                                       {"annotations", json::array()}}})}}})},
              {"usage",
               {{"input_tokens", input_tokens},
                {"output_tokens", output_tokens},
                {"total_tokens", input_tokens + output_tokens}}}};
    case Protocol::AnthropicMessages:
      return {{"id", "msg_fake"},
              {"type", "message"},
              {"role", "assistant"},
              {"content", json::array({{{"type", "text"}, {"text", text}}})},
              {"stop_reason", "end_turn"},
              {"stop_sequence", nullptr},
              {"usage", {{"input_tokens", input_tokens}, {"output_tokens", output_tokens}}}};
    case Protocol::ChatCompletions:
      return {{"id", "chatcmpl-fake"},
              {"object", "chat.completion"},
              {"created", 0},
              {"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", text}}},
                                        {"finish_reason", "stop"}}})},
              {"usage",
               {{"prompt_tokens", input_tokens},
                {"completion_tokens", output_tokens},
                {"total_tokens", input_tokens + output_tokens}}}};
  }
  return nullptr;
}

}  // namespace tuna::test_support
