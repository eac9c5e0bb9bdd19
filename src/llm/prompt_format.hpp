#pragma once
// Text forms shared by the prompt sections: values and configs as JSON, times, sizes. All pure
// and locale-free, so prompts are byte-for-byte reproducible.
#include <string>

#include "tuna/space.hpp"

namespace tuna::llm {

// A value as a JSON literal: 64, 0.5, true, "ikj" (escaped).
std::string value_json(const Value& v);
// The whole config as one JSON object in declaration order: {"BM": 64, "LOOP": "ikj"}.
std::string config_json(const Space& space, const Config& config);
// Only the parameters that differ from `base`, as a JSON object; "{}" when none do.
std::string diff_json(const Space& space, const Config& config, const Config& base);
// The same changes in the compact form of the results tables: `BM=64 LOOP=ikj PACK=true`
// (strings bare; the space admits no spaces, '=' or ',' in them, but one that slipped through
// would be JSON-quoted); "(default)" when nothing differs. About half the tokens of the JSON
// form.
std::string diff_compact(const Space& space, const Config& config, const Config& base);
// One setting in the compact form: `BM=64`.
std::string setting_compact(const Parameter& p, const Value& v);
// "0.0758 ms", "12.35 ms", "1234.5 ms": four significant digits below a second.
std::string format_ms(double ms);
// "512 bytes", "48 KiB", "1.5 MiB", "80 GiB".
std::string format_bytes(double bytes);
// Large counts in engineering form: "268,435,456" below 1e12, "2.68e+12" above.
std::string format_count(double n);
// A signed percentage with one decimal: "+3.2%".
std::string format_percent(double fraction);
// An unsigned percentage, two significant digits below 10%: "0.42%", "3.1%", "27%".
std::string format_share(double fraction);
// A time ratio: "x1.004" below 10, "x12.3" above.
std::string format_ratio(double ratio);
// The names of the two-way choices (Space::switches), comma-separated; "" when none.
std::string switch_names(const Space& space);

}  // namespace tuna::llm
