// The HTTP providers: one client for all three wire formats, with the retry loop.
#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "base/epoch_seconds.hpp"
#include "base/one_line.hpp"
#include "llm/http_client.hpp"
#include "llm/providers.hpp"
#include "llm/redaction.hpp"
#include "llm/retry_policy.hpp"

namespace tuna::llm {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// What the server said about its error: error.message (wrapped or flat shapes), else the first
// line of the body. Untrusted and possibly long, so it is cut to one line.
std::string server_message(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    const json& error =
        parsed.contains("error") && parsed["error"].is_object() ? parsed["error"] : parsed;
    if (auto it = error.find("message"); it != error.end() && it->is_string())
      return eval::one_line(it->get<std::string>(), 300);
    if (auto it = parsed.find("error"); it != parsed.end() && it->is_string())
      return eval::one_line(it->get<std::string>(), 300);
  }
  std::string line = eval::one_line(body, 300);
  return line.empty() ? "(empty body)" : line;
}

std::string request_id(const HttpResponse& response) {
  for (const char* name : {"x-request-id", "request-id"})
    if (auto it = response.headers.find(name); it != response.headers.end())
      return " (request id " + eval::one_line(it->second, 80) + ")";
  return {};
}

bool mentions_any(const std::string& text, const std::string& alternatives) {
  std::size_t start = 0;
  while (start <= alternatives.size()) {
    std::size_t bar = alternatives.find('|', start);
    std::string word = alternatives.substr(start, bar - start);
    if (!word.empty() && text.find(word) != std::string::npos) return true;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return false;
}

class HttpLlmClient final : public LlmClient {
 public:
  HttpLlmClient(const WireFormat& format, const ProviderSettings& settings,
                const TransportHooks& hooks)
      : format_(format), settings_(settings), hooks_(hooks) {
    std::string base = settings.base_url.empty() ? format.default_base : settings.base_url;
    url_ = normalize_base_url(base) + "/v1/" + format.endpoint;
    shown_url_ = scrub_secret(strip_url_credentials(url_), settings_.api_key);
    official_openai_ = url_.rfind("https://api.openai.com/", 0) == 0;
    rng_.seed(hooks.jitter_seed != 0 ? hooks.jitter_seed : std::random_device{}());
    settings_.replay.clear();  // not needed here; keeps the copy small
  }

  std::string provider() const override { return format_.provider; }
  std::string model() const override { return settings_.model; }

  LlmReply complete(const LlmRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto start = Clock::now();
    bool structured =
        settings_.structured_output && !request.json_schema.empty() && !schema_refused_;
    int attempts = 0;
    for (int retries = 0;;) {
      ++attempts;
      HttpOutcome outcome = post(request, structured);
      const HttpResponse& response = outcome.response;
      bool answered = outcome.failure == HttpFailure::kNone;
      if (answered && response.status >= 200 && response.status < 300) {
        LlmReply reply = parse(response);
        reply.attempts = attempts;
        reply.structured = structured;
        reply.latency_s = std::chrono::duration<double>(Clock::now() - start).count();
        return reply;
      }
      if (structured && answered && response.status == 400 &&
          mentions_any(response.body, format_.schema_field)) {
        // The server does not know the structured-output field: ask once more without it, and
        // do not offer it again to this server.
        structured = false;
        schema_refused_ = true;
        note(fmt::format("{}: {} refused structured output; asking without a JSON schema",
                         format_.provider, shown_url_));
        continue;
      }
      std::string problem = describe(outcome);
      RetryDecision decision = decide_retry(outcome);
      if (decision.quota_exhausted)
        fail(format_.provider + (": " + problem) +
             ". The account's quota or credit is exhausted: check its plan and "
             "billing; retrying would not help.");
      if (!decision.retry) fail(format_.provider + (": " + problem) + advice(outcome));
      if (retries >= settings_.max_retries) {
        double spent = std::chrono::duration<double>(Clock::now() - start).count();
        fail(fmt::format("{}: gave up after {} attempts in {:.1f} s. The last one: {}",
                         format_.provider, attempts, spent, problem));
      }
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      double delay = retry_delay_s(retries, settings_.backoff_initial_s, settings_.backoff_max_s,
                                   unit(rng_), retry_after_s(response.headers, epoch_seconds()));
      ++retries;
      note(fmt::format("{}: {}; retry {} of {} in {:.2f} s", format_.provider, problem, retries,
                       settings_.max_retries, delay));
      sleep(delay);
    }
  }

 private:
  HttpOutcome post(const LlmRequest& request, bool structured) const {
    HttpRequest http;
    http.url = url_;
    http.headers = format_.auth_headers(settings_.api_key);
    BodyOptions options{structured, official_openai_};
    http.body = format_.build_body(request, wire_model_name(settings_.model), options).dump();
    http.timeout_s = settings_.request_timeout_s;
    http.connect_timeout_s = settings_.connect_timeout_s;
    return http_post(http);
  }

  LlmReply parse(const HttpResponse& response) const {
    json body = json::parse(response.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      fail(
          fmt::format("{}: malformed reply from {}: HTTP {} but the body is not a JSON object "
                      "(it starts: {}). Check that the base URL points at a {} server.",
                      format_.provider, shown_url_, response.status,
                      eval::one_line(response.body, 120), format_.provider));
    }
    ParsedReply parsed = format_.parse_reply(body);
    if (!parsed.missing.empty()) {
      fail(
          fmt::format("{}: malformed reply from {}: {}. Check that the base URL points at a "
                      "server speaking the {} API.",
                      format_.provider, shown_url_, parsed.missing, format_.endpoint));
    }
    if (parsed.text.empty() && !parsed.refusal.empty())
      fail(fmt::format("{}: the model declined to answer: {}", format_.provider,
                       eval::one_line(parsed.refusal, 300)));
    LlmReply reply;
    reply.text = std::move(parsed.text);
    reply.input_tokens = parsed.input_tokens;
    reply.output_tokens = parsed.output_tokens;
    reply.truncated = parsed.truncated;
    return reply;
  }

  // What went wrong in one attempt, without the provider's name (fail and note add it).
  std::string describe(const HttpOutcome& outcome) const {
    switch (outcome.failure) {
      case HttpFailure::kTimeout:
        return fmt::format("no reply from {} within the request timeout of {:g} s", shown_url_,
                           settings_.request_timeout_s);
      case HttpFailure::kConnection:
        return fmt::format("connection to {} failed: {}", shown_url_, outcome.error);
      case HttpFailure::kTls:
        return fmt::format("TLS failure with {}: {}", shown_url_, outcome.error);
      case HttpFailure::kOther:
        return fmt::format("request to {} failed: {}", shown_url_, outcome.error);
      case HttpFailure::kNone:
        break;
    }
    return fmt::format("HTTP {} from {}: {}{}", outcome.response.status, shown_url_,
                       server_message(outcome.response.body), request_id(outcome.response));
  }

  // What to check after a failure that retrying cannot fix.
  std::string advice(const HttpOutcome& outcome) const {
    std::string key_sources =
        fmt::format("--llm-api-key, TUNA_LLM_API_KEY or {}", format_.key_variable);
    if (outcome.failure == HttpFailure::kTls)
      return ". Check the server's certificate and the CA bundle (CURL_CA_BUNDLE).";
    if (outcome.failure == HttpFailure::kOther) return ". Check the base URL.";
    switch (outcome.response.status) {
      case 401:
        return fmt::format(". Check the API key ({}).", key_sources);
      case 403:
        return fmt::format(
            ". The key may lack access to model '{}': check the key ({}) and the "
            "model name.",
            settings_.model, key_sources);
      case 404:
        return fmt::format(". Check the model name '{}' and the base URL (requests go to {}).",
                           settings_.model, shown_url_);
      case 413:
        return ". The prompt is larger than the server accepts.";
      default:
        return fmt::format(
            ". Check the model name '{}' and the base URL; a local server must "
            "serve {}.",
            settings_.model, std::string("/v1/") + format_.endpoint);
    }
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw LlmError(scrub_secret(message, settings_.api_key));
  }

  void note(const std::string& line) const {
    if (hooks_.log) hooks_.log(scrub_secret(line, settings_.api_key));
  }

  void sleep(double seconds) const {
    if (hooks_.sleep) {
      hooks_.sleep(seconds);
    } else if (seconds > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    }
  }

  const WireFormat& format_;
  ProviderSettings settings_;
  TransportHooks hooks_;
  std::string url_;
  std::string shown_url_;
  bool official_openai_ = false;
  bool schema_refused_ = false;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<LlmClient> make_http_client(const WireFormat& format,
                                            const ProviderSettings& settings,
                                            const TransportHooks& hooks) {
  return std::make_unique<HttpLlmClient>(format, settings, hooks);
}

}  // namespace tuna::llm
