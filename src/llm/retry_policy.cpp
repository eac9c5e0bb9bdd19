#include "llm/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/ascii_text.hpp"

namespace tuna::llm {
namespace {

std::optional<double> parse_number(const std::string& text) {
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110's preferred form).
std::optional<double> parse_http_date(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  std::time_t when = timegm(&tm);
  if (when == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<double>(when);
}

// The parts of an error body that say what kind of error it is, for both the wrapped
// {"error": {...}} and the flat {"type": ..., "message": ...} shapes. Non-JSON: the raw text.
std::string error_descriptors(const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return body;
  const nlohmann::json& error =
      json.contains("error") && json["error"].is_object() ? json["error"] : json;
  std::string out;
  for (const char* key : {"code", "type", "message"}) {
    auto it = error.find(key);
    if (it != error.end() && it->is_string()) out += it->get<std::string>() + " ";
  }
  return out;
}

}  // namespace

bool is_retryable_status(int status) {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

bool says_quota_exhausted(const std::string& body) {
  std::string text = ascii_lower(error_descriptors(body));
  return text.find("insufficient_quota") != std::string::npos ||
         text.find("billing") != std::string::npos ||
         text.find("credit_balance") != std::string::npos ||
         text.find("quota") != std::string::npos;
}

RetryDecision decide_retry(const HttpOutcome& outcome) {
  switch (outcome.failure) {
    case HttpFailure::kTimeout:
    case HttpFailure::kConnection:
      return {true, false};
    case HttpFailure::kTls:
    case HttpFailure::kOther:
      return {false, false};
    case HttpFailure::kNone:
      break;
  }
  const HttpResponse& response = outcome.response;
  if (response.status >= 200 && response.status < 300) return {false, false};
  if (response.status == 429 && says_quota_exhausted(response.body)) return {false, true};
  if (auto it = response.headers.find("x-should-retry"); it != response.headers.end()) {
    std::string value = ascii_lower(it->second);
    if (value == "true") return {true, false};
    if (value == "false") return {false, false};
  }
  return {is_retryable_status(response.status), false};
}

std::optional<double> retry_after_s(const std::map<std::string, std::string>& headers,
                                    double now_unix_s) {
  if (auto it = headers.find("retry-after-ms"); it != headers.end()) {
    if (auto ms = parse_number(it->second); ms && *ms >= 0) return *ms / 1000.0;
  }
  auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  if (auto seconds = parse_number(it->second)) {
    if (*seconds < 0) return std::nullopt;
    return *seconds;
  }
  if (auto when = parse_http_date(it->second)) return std::max(0.0, *when - now_unix_s);
  return std::nullopt;
}

double backoff_delay_s(int retry_index, double initial_s, double max_s, double unit_random) {
  double ceiling = initial_s * std::pow(2.0, std::clamp(retry_index, 0, 60));
  ceiling = std::min(ceiling, max_s);
  return std::max(0.0, ceiling * std::clamp(unit_random, 0.0, 1.0));
}

double retry_delay_s(int retry_index, double initial_s, double max_s, double unit_random,
                     std::optional<double> server_retry_after_s) {
  if (server_retry_after_s) return std::clamp(*server_retry_after_s, 0.0, max_s);
  return backoff_delay_s(retry_index, initial_s, max_s, unit_random);
}

}  // namespace tuna::llm
