// libFuzzer target for the expression language: parse arbitrary text, evaluate it against an
// environment, bind it to slots and evaluate again. It must never crash, hang or raise
// anything but ExprError/UserError; and the two evaluation paths (names looked up in an Env,
// names bound to slots with constants folded in) must agree exactly, value or message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/errors.hpp"
#include "tuna/expr.hpp"

namespace {

struct Fixture {
  std::vector<std::string> slot_names{"a", "b", "x", "s", "t", "BM", "device.sm_count"};
  std::vector<tuna::Value> slots{tuna::Value(7),     tuna::Value(-3),   tuna::Value(2.5),
                                 tuna::Value("ikj"), tuna::Value(true), tuna::Value(64),
                                 tuna::Value(108)};
  tuna::Env constants;
  tuna::Env env;
  Fixture() {
    constants.set("K", 4);
    constants.set("Z", 0);
    constants.set("big", std::int64_t{9223372036854775807});
    constants.set("neg", -0.5);
    constants.set("name", "abc");
    env = constants;
    for (std::size_t i = 0; i < slot_names.size(); ++i) env.set(slot_names[i], slots[i]);
  }
};

struct Outcome {
  bool ok = false;
  std::string text;  // the value's text (NaN-safe) or the error message
};

template <class F>
Outcome attempt(F&& f) {
  try {
    tuna::Value v = f();
    return {true, std::string(tuna::value_kind_name(v.kind())) + ":" + v.to_string()};
  } catch (const tuna::ExprError& e) {
    return {false, e.what()};
  }
}

[[noreturn]] void mismatch(std::string_view input, const Outcome& a, const Outcome& b) {
  std::fprintf(stderr, "evaluate/bind disagree on '%.*s': '%s' vs '%s'\n",
               static_cast<int>(input.size()), input.data(), a.text.c_str(), b.text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture fx;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tuna::Expr expr;
  try {
    expr = tuna::Expr::parse(text);
  } catch (const tuna::ExprError& e) {
    if (e.column() == 0 || e.column() > size + 1) std::abort();  // columns stay in the text
    return 0;
  }
  Outcome from_env = attempt([&] { return expr.evaluate(fx.env); });
  tuna::BoundExpr bound;
  try {
    bound = expr.bind(std::span<const std::string>(fx.slot_names), fx.constants);
  } catch (const tuna::ExprError&) {
    return 0;  // an unknown name; evaluate() may still have succeeded by short-circuiting
  }
  Outcome from_bound = attempt([&] { return bound.evaluate(fx.slots); });
  if (from_env.ok != from_bound.ok || from_env.text != from_bound.text)
    mismatch(text, from_env, from_bound);
  bool test = bound.test(fx.slots);
  if (!from_bound.ok && test) mismatch(text, from_bound, Outcome{true, "test() true"});
  (void)expr.names();
  return 0;
}
