#pragma once
// One JSON POST over libcurl, no retries (retry_policy and http_provider decide those). A failure
// to get any HTTP answer (refused, timed out, dropped, TLS) is data here, not an exception: the
// caller decides whether it is worth another attempt.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tuna::llm {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // may carry the key: never logged
  std::string body;
  double timeout_s = 120;         // the whole attempt, connection included
  double connect_timeout_s = 10;  // capped at timeout_s
};

enum class HttpFailure {
  kNone,        // an HTTP answer came back (any status)
  kTimeout,     // no complete answer within timeout_s
  kConnection,  // refused, unreachable, dropped mid-way or closed without an answer
  kTls,         // certificate or handshake problem: retrying would not help
  kOther,       // a bad URL, an oversized reply, ...
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; the final response's only
  std::string body;
};

struct HttpOutcome {
  HttpFailure failure = HttpFailure::kNone;
  std::string error;  // curl's description of the failure; empty when an answer came back
  HttpResponse response;
  double elapsed_s = 0;
};

// Replies larger than this are cut off and reported as kOther: a server is untrusted.
inline constexpr std::size_t kMaxReplyBytes = std::size_t{32} << 20;

HttpOutcome http_post(const HttpRequest& request);

}  // namespace tuna::llm
