#include "llm/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

#include "base/ascii_text.hpp"
#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

// curl_global_init is not thread-safe and must run before any handle exists; the first request
// may come from the round-0 thread, so it is guarded rather than left to a static initialiser.
void init_curl_once() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    TUNA_ASSERT(code == CURLE_OK,
                std::string("curl_global_init failed: ") + curl_easy_strerror(code));
  });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

struct Sink {
  HttpResponse* response;
  bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t bytes = size * count;
  if (sink->response->body.size() + bytes > kMaxReplyBytes) {
    sink->overflow = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::size_t bytes = size * count;
  std::string line(data, bytes);
  // A new status line starts a new response (after "100 Continue" or similar): keep the last.
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();
    return bytes;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string::npos) return bytes;
  const std::string_view text = line;
  response->headers[ascii_lower(trim_spaces(text.substr(0, colon)))] =
      std::string(trim_spaces(text.substr(colon + 1)));
  return bytes;
}

HttpFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return HttpFailure::kTimeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return HttpFailure::kConnection;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
      return HttpFailure::kTls;
    default:
      return HttpFailure::kOther;
  }
}

long to_ms(double seconds) { return std::max(1L, static_cast<long>(seconds * 1000.0)); }

}  // namespace

HttpOutcome http_post(const HttpRequest& request) {
  init_curl_once();
  HttpOutcome outcome;
  EasyHandle handle(curl_easy_init());
  TUNA_ASSERT(handle != nullptr, "curl_easy_init failed");
  CURL* curl = handle.get();

  HeaderList headers;
  auto append = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    TUNA_ASSERT(grown != nullptr, "curl_slist_append failed");
    (void)headers.release();
    headers.reset(grown);
  };
  for (const auto& [name, value] : request.headers) append(name + ": " + value);
  // curl would otherwise wait for "100 Continue" before sending a large prompt.
  append("Expect:");

  Sink sink{&outcome.response};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, to_ms(request.timeout_s));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   to_ms(std::min(request.connect_timeout_s, request.timeout_s)));
  // Signals for timeouts are unsafe with threads (round 0 calls from another thread).
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // No redirects: a redirect could carry the key's header to another host.
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &outcome.response);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode

  auto start = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(curl);
  outcome.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (code != CURLE_OK) {
    outcome.failure = sink.overflow ? HttpFailure::kOther : classify(code);
    outcome.error = sink.overflow          ? "the reply is larger than 32 MiB"
                    : error_buffer[0] != 0 ? std::string(error_buffer)
                                           : std::string(curl_easy_strerror(code));
    outcome.response.status = 0;
    return outcome;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  outcome.response.status = static_cast<int>(status);
  return outcome;
}

}  // namespace tuna::llm
