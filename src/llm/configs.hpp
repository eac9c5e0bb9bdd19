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
  bool found_configs = false;       // a {"configs": [...]} or a list of configs was read (may be empty)
  bool truncated = false;           // the reply was cut off; only its complete configs were read
  int proposed = 0;                 // config entries in the reply
  int repaired = 0;                 // kept after a value or constraint repair
  int dropped = 0;                  // not usable (not an object, or invalid even after repair)
  int duplicates = 0;               // equal to an earlier config of the same reply
};

// At most this many config entries of one reply are read (a round asks for ~15).
inline constexpr int kMaxConfigsPerReply = 256;
// At most this many notes are kept; a last one counts the rest.
inline constexpr std::size_t kMaxNotes = 64;

ParsedConfigs parse_response_configs(std::string_view reply, const Space& space,
                                     const Config& default_config);

}  // namespace tuna::llm
