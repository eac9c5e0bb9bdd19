// libFuzzer target for the LLM reply parser: arbitrary text must never crash, hang or throw,
// and every config it returns must be valid in the space and unique within the reply.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "llm/configs.hpp"
#include "tuna/space.hpp"

namespace {

tuna::Space make_space() {
  using tuna::Parameter;
  using tuna::Value;
  std::vector<Parameter> p;
  p.push_back(Parameter::list("BM", {Value(16), Value(32), Value(64), Value(128)}, Value(32)));
  p.push_back(Parameter::pow2_range("BN", 16, 128, 32));
  p.push_back(Parameter::int_range("UNROLL", 1, 4, 1, 1));
  p.push_back(Parameter::list("LOOP", {Value("ijk"), Value("ikj")}, Value("ikj")));
  p.push_back(Parameter::boolean("PACK", false));
  p.push_back(Parameter::list("ALPHA", {Value(0.5), Value(1.0), Value(2.5)}, Value(1.0)));
  std::vector<tuna::Constraint> c;
  c.push_back({tuna::Expr::parse("BM * BN <= 4096"), "fuzz"});
  c.push_back({tuna::Expr::parse("BM % UNROLL == 0"), "fuzz"});
  c.push_back({tuna::Expr::parse("!PACK || LOOP == \"ikj\""), "fuzz"});
  return tuna::Space(std::move(p), std::move(c));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tuna::Space space = make_space();
  static const tuna::Config base = space.default_config();
  std::string_view reply(reinterpret_cast<const char*>(data), size);
  tuna::llm::ParsedConfigs parsed = tuna::llm::parse_response_configs(reply, space, base);
  std::set<std::string> keys;
  for (const auto& config : parsed.configs) {
    if (!space.is_valid(config)) std::abort();
    if (!keys.insert(space.key(config)).second) std::abort();
  }
  if (parsed.notes.size() > tuna::llm::kMaxNotes) std::abort();
  if (parsed.configs.size() > static_cast<std::size_t>(tuna::llm::kMaxConfigsPerReply)) std::abort();
  return 0;
}
