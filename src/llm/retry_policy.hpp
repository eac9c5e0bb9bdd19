#pragma once
// When an LLM request is worth another attempt, and how long to wait first. Pure functions: the
// random draw and the current time are arguments, so every decision is testable without waiting.
//
// Retried: 408, 409, 429 and 5xx, connection failures and timeouts. Never retried: a 429 that
// says the quota or credit is exhausted (waiting cannot help), 400/401/403/404/413/422 and other
// 4xx, TLS failures. A server's "x-should-retry: true|false" header overrides the status rule.
#include <map>
#include <optional>
#include <string>

#include "llm/http_client.hpp"

namespace tuna::llm {

struct RetryDecision {
  bool retry = false;
  bool quota_exhausted = false;  // a 429 about quota or billing, not a rate limit
};

RetryDecision decide_retry(const HttpOutcome& outcome);

bool is_retryable_status(int status);

// True when a 429 body names exhausted quota or credit (insufficient_quota, billing_error,
// credit_balance, or "quota" in the error's code, type or message).
bool says_quota_exhausted(const std::string& body);

// The server's requested wait, from retry-after-ms (milliseconds) or retry-after (seconds, or an
// HTTP date compared with `now_unix_s`). Absent, unparsable, negative: nullopt.
std::optional<double> retry_after_s(const std::map<std::string, std::string>& headers,
                                    double now_unix_s);

// "Full jitter" backoff: a uniform draw in [0, min(max_s, initial_s * 2^retry_index)).
// `unit_random` is the draw in [0, 1).
double backoff_delay_s(int retry_index, double initial_s, double max_s, double unit_random);

// The wait before retry number `retry_index` (0 for the first retry): the server's retry-after
// when it gave one, capped at max_s, else the jittered backoff.
double retry_delay_s(int retry_index, double initial_s, double max_s, double unit_random,
                     std::optional<double> server_retry_after_s);

}  // namespace tuna::llm
