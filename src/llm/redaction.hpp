#pragma once
// Keeping the API key out of everything a person or the store can see. The key is only ever put
// into an HTTP header; every message built from a server's reply, curl's error text or a URL goes
// through scrub_secret as a second line of defence (a proxy may echo the request headers back).
#include <string>
#include <string_view>

namespace tuna::llm {

// `text` with every occurrence of `secret` replaced by "***". An empty secret changes nothing.
std::string scrub_secret(std::string_view text, std::string_view secret);

// The URL without "user:password@" (credentials in a base URL are secrets too).
std::string strip_url_credentials(std::string_view url);

}  // namespace tuna::llm
