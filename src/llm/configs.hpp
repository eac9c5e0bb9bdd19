#pragma once
// Parses an LLM's reply into configs of the Space. The reply is untrusted text: JSON is looked
// for in code fences or prose, Python literals (True/False/None, single quotes, trailing commas)
// are tolerated, and each sparse config is laid over the default. A value out of range or off a
// parameter's allowed list is repaired onto the space (the repair is noted); a config still
// invalid after repair is dropped with its reason. No input throws or crashes: a fuzz target
// (tests/fuzz/fuzz_llm_configs.cpp) holds it to that.
#include <string>
#include <string_view>
#include <vector>

#include "tuna/space.hpp"

namespace tuna::llm {

struct ParsedConfigs {
  std::vector<Config> configs;      // valid, deduplicated within the reply, in reply order
  std::vector<std::string> notes;   // one line per repair, drop or parse problem, for the log
  bool found_json = false;          // false when no JSON object or list could be found at all
};

ParsedConfigs parse_response_configs(std::string_view reply, const Space& space,
                                     const Config& default_config);

}  // namespace tuna::llm
