#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tuna/errors.hpp"
#include "tuna/expr.hpp"

namespace tuna {
namespace {

Env sample_env() {
  Env env;
  env.set("a", 7);
  env.set("b", 2);
  env.set("c", -3);
  env.set("x", 2.5);
  env.set("t", true);
  env.set("f", false);
  env.set("s", "ikj");
  env.set("device.sm_count", 108);
  return env;
}

Value eval(std::string_view text, const Env& env = sample_env()) {
  return Expr::parse(text).evaluate(env);
}

// Expects `text` to fail (parse or evaluation) at `column` with `fragment` in the message.
void expect_error(std::string_view text, std::size_t column, std::string_view fragment,
                  const Env& env = sample_env()) {
  try {
    eval(text, env);
    ADD_FAILURE() << "no error for: " << text;
  } catch (const ExprError& e) {
    EXPECT_EQ(e.column(), column) << text << " -> " << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << text << " -> " << e.what();
  }
}

struct Case {
  const char* text;
  Value expected;
};

void expect_values(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    Value v = eval(c.text);
    EXPECT_EQ(v.kind(), c.expected.kind()) << c.text << " -> " << v.to_string();
    EXPECT_EQ(v, c.expected) << c.text << " -> " << v.to_string();
  }
}

TEST(ExprParse, Literals) {
  expect_values({{"42", Value(42)},
                 {"0x40", Value(64)},
                 {"2.5", Value(2.5)},
                 {".5", Value(0.5)},
                 {"1e3", Value(1000.0)},
                 {"True", Value(true)},
                 {"true", Value(true)},
                 {"False", Value(false)},
                 {"false", Value(false)},
                 {"'ikj'", Value("ikj")},
                 {"\"a\\\"b\"", Value("a\"b")}});
}

TEST(ExprParse, ArithmeticPrecedence) {
  expect_values({{"1 + 2 * 3", Value(7)},
                 {"(1 + 2) * 3", Value(9)},
                 {"10 - 4 - 3", Value(3)},  // left-associative
                 {"2 * 3 % 4", Value(2)},   // * and % share a level, left to right
                 {"100 // 10 // 3", Value(3)},
                 {"2 ** 3 ** 2", Value(512)},  // right-associative
                 {"-2 ** 2", Value(-4)},       // ** binds tighter than unary minus
                 {"2 ** -1", Value(0.5)},
                 {"-a + b", Value(-5)},
                 {"+b", Value(2)},
                 {"- - b", Value(2)},
                 {"a - -b", Value(9)}});
}

TEST(ExprParse, ComparisonAndLogicPrecedence) {
  expect_values({{"1 + 1 == 2", Value(true)},
                 {"a > b && b > c", Value(true)},
                 {"a > b and b < c", Value(false)},
                 {"f || t && f", Value(false)},  // && binds tighter than ||
                 {"f or t and f", Value(false)},
                 {"t or f and f", Value(true)},
                 {"not a == b", Value(true)},   // Python: not (a == b)
                 {"!a == b", Value(false)},     // C: (!a) == b
                 {"!f", Value(true)},
                 {"not not t", Value(true)},
                 {"1 < 2 < 3", Value(true)},    // chained as in Python
                 {"3 > 2 > 1", Value(true)},
                 {"1 < 3 < 2", Value(false)},
                 {"1 == 1 != 2", Value(true)}});
}

TEST(ExprParse, TernaryForms) {
  expect_values({{"a > b ? 1 : 2", Value(1)},
                 {"a < b ? 1 : 2", Value(2)},
                 {"f ? 1 : t ? 2 : 3", Value(2)},  // right-associative
                 {"1 if a > b else 2", Value(1)},
                 {"1 if f else 2 if f else 3", Value(3)},
                 {"(a if t else b) * 2", Value(14)},
                 {"t ? 'x' : 'y'", Value("x")}});
}

TEST(ExprParse, InLists) {
  expect_values({{"b in [1, 2, 3]", Value(true)},
                 {"a in [1, 2, 3]", Value(false)},
                 {"a not in [1, 2, 3]", Value(true)},
                 {"b in (2, 4)", Value(true)},
                 {"b in [1, 2,]", Value(true)},
                 {"b in []", Value(false)},
                 {"s in ['ijk', 'ikj']", Value(true)},
                 {"s in [1, 2]", Value(false)},
                 {"b in [a - 5, a]", Value(true)},   // computed items
                 {"2.0 in [1, 2]", Value(true)},
                 {"t in [1]", Value(true)},
                 {"not b in [2]", Value(false)},
                 {"b in [2] and a in [7]", Value(true)}});
}

TEST(ExprParse, DottedNamesAndNames) {
  expect_values({{"device.sm_count * 2", Value(216)}});
  Expr e = Expr::parse("BM * BN + BM - device.warp_size");
  EXPECT_EQ(e.names(), (std::vector<std::string>{"BM", "BN", "device.warp_size"}));
  EXPECT_EQ(e.text(), "BM * BN + BM - device.warp_size");
}

TEST(ExprEval, PythonDivision) {
  expect_values({{"7 / 2", Value(3.5)},
                 {"8 / 2", Value(4.0)},    // true division always gives a float
                 {"7 // 2", Value(3)},
                 {"-7 // 2", Value(-4)},   // floors toward -infinity
                 {"7 // -2", Value(-4)},
                 {"-7 // -2", Value(3)},
                 {"7.5 // 2", Value(3.0)},
                 {"-7.5 // 2", Value(-4.0)},
                 {"7 % 3", Value(1)},
                 {"-7 % 3", Value(2)},     // the sign follows the divisor
                 {"7 % -3", Value(-2)},
                 {"-7 % -3", Value(-1)},
                 {"5.5 % 2", Value(1.5)},
                 {"-5.5 % 2", Value(0.5)},
                 {"32 % 4.0", Value(0.0)},
                 {"32 % 3.5", Value(0.5)},
                 {"2 ** 10", Value(1024)},
                 {"2 ** 0", Value(1)},
                 {"4 ** 0.5", Value(2.0)},
                 {"2.0 ** 3", Value(8.0)},
                 {"(-8) ** 3", Value(-512)},
                 {"t + t", Value(2)},      // bools are 0/1 in arithmetic
                 {"t * 3", Value(3)}});
}

TEST(ExprEval, Functions) {
  expect_values({{"min(3, 1, 2)", Value(1)},
                 {"max(3, 1, 2)", Value(3)},
                 {"max(1, 2.5)", Value(2.5)},
                 {"min(7)", Value(7)},
                 {"min('b', 'a')", Value("a")},
                 {"ceil_div(7, 2)", Value(3 + 1)},
                 {"ceil_div(8, 2)", Value(4)},
                 {"ceil_div(-7, 2)", Value(-3)},
                 {"ceil_div(7.0, 2)", Value(4)},
                 {"ceil(2.1)", Value(3)},
                 {"ceil(-2.1)", Value(-2)},
                 {"floor(2.9)", Value(2)},
                 {"floor(-2.1)", Value(-3)},
                 {"floor(5)", Value(5)},
                 {"log2(8)", Value(3.0)},
                 {"log2(0.5)", Value(-1.0)},
                 {"is_pow2(64)", Value(true)},
                 {"is_pow2(48)", Value(false)},
                 {"is_pow2(0)", Value(false)},
                 {"is_pow2(-4)", Value(false)},
                 {"is_pow2(4.0)", Value(true)},
                 {"abs(c)", Value(3)},
                 {"abs(-2.5)", Value(2.5)},
                 {"int(2.9)", Value(2)},
                 {"int(-2.9)", Value(-2)},  // truncates, as Python's int()
                 {"int('42')", Value(42)},
                 {"int(t)", Value(1)},
                 {"float(3)", Value(3.0)},
                 {"float('0.25')", Value(0.25)}});
}

TEST(ExprEval, ComparisonsAcrossKinds) {
  expect_values({{"1 == 1.0", Value(true)},
                 {"t == 1", Value(true)},
                 {"s == 'ikj'", Value(true)},
                 {"s != 'ijk'", Value(true)},
                 {"s == 1", Value(false)},  // a string never equals a number
                 {"s != 1", Value(true)},
                 {"'a' < 'b'", Value(true)},
                 {"x > 2", Value(true)},
                 {"x <= 2.5", Value(true)}});
}

TEST(ExprEval, LogicReturnsBoolsAndShortCircuits) {
  expect_values({{"a and b", Value(true)},
                 {"0 or 0.0", Value(false)},
                 {"'' or s", Value(true)},
                 {"f and 1 / 0", Value(false)},   // right side never evaluated
                 {"t or 1 // 0", Value(true)},
                 {"t ? 1 : 1 / 0", Value(1)},
                 {"f and unknown_name", Value(false)}});
}

TEST(ExprEval, KernelTunerRestrictions) {
  // The CLBlast GEMM restrictions, in Kernel Tuner's Python syntax.
  Env env;
  env.set("KWG", 32);
  env.set("KWI", 2);
  env.set("MWG", 64);
  env.set("NWG", 64);
  env.set("MDIMC", 16);
  env.set("NDIMC", 8);
  env.set("MDIMA", 16);
  env.set("NDIMB", 8);
  env.set("VWM", 2);
  env.set("VWN", 4);
  EXPECT_EQ(Expr::parse("KWG % KWI == 0").evaluate(env), Value(true));
  EXPECT_EQ(Expr::parse("MWG % (MDIMC * VWM) == 0").evaluate(env), Value(true));
  EXPECT_EQ(Expr::parse("NWG % (NDIMC * VWN) == 0").evaluate(env), Value(true));
  // (16 * 8) / 16 is the float 8.0 and 32 % 8.0 == 0.0, which == 0: true, as in Python.
  EXPECT_EQ(Expr::parse("KWG % ((MDIMC * NDIMC) / MDIMA) == 0").evaluate(env), Value(true));
  env.set("MDIMA", 32);
  env.set("MDIMC", 8);
  env.set("NDIMC", 16);
  // (8 * 16) / 32 = 4.0; but with MDIMC=8, NDIMC=8, MDIMA=32: 64 / 32 = 2.0; and with a
  // non-integral quotient Python's float modulo decides: 32 % (24 / 16 = 1.5) = 0.5 != 0.
  EXPECT_EQ(Expr::parse("KWG % ((MDIMC * NDIMC) / MDIMA) == 0").evaluate(env), Value(true));
  env.set("MDIMC", 24);
  env.set("NDIMC", 1);
  env.set("MDIMA", 16);
  EXPECT_EQ(Expr::parse("KWG % ((MDIMC * NDIMC) / MDIMA) == 0").evaluate(env), Value(false));
  EXPECT_EQ(Expr::parse("KWG % ((MDIMC * NDIMC) / MDIMA)").evaluate(env), Value(0.5));

  Env kt;
  kt.set("block_size_x", 16);
  kt.set("block_size_y", 2);
  kt.set("tile_size_x", 4);
  kt.set("tile_size_y", 4);
  kt.set("use_padding", 1);
  EXPECT_EQ(Expr::parse("block_size_x*block_size_y>=32").evaluate(kt), Value(true));
  EXPECT_EQ(Expr::parse("tile_size_x*tile_size_y<=16 and use_padding in [0,1]").evaluate(kt),
            Value(true));
  EXPECT_EQ(Expr::parse("tile_size_x*tile_size_y<16 or not use_padding==1").evaluate(kt),
            Value(false));
  EXPECT_EQ(Expr::parse("32 <= block_size_x*block_size_y <= 1024").evaluate(kt), Value(true));
}

TEST(ExprErrors, ParseErrorsPointAtTheColumn) {
  expect_error("KWG % (MDIMC", 13, "expected ')' to close '(' at column 7");
  expect_error("1 +", 4, "expected a value");
  expect_error("", 1, "empty expression");
  expect_error("   ", 4, "empty expression");
  expect_error("a b", 3, "expected an operator or the end of the expression");
  expect_error("a ? b", 6, "expected ':' to complete '?' at column 3");
  expect_error("a if b", 7, "expected 'else' to complete 'if' at column 3");
  expect_error("a in 3", 6, "expected a list such as [1, 2, 4] after 'in'");
  expect_error("a in [1, 2", 11, "expected ']' to close '[' at column 6");
  expect_error("min(1, 2", 9, "expected ')' to close '(' at column 4");
  expect_error("a = 1", 3, "use '=='");
  expect_error("a & b", 3, "use '&&' or 'and'");
  expect_error("a | b", 3, "use '||' or 'or'");
  expect_error("a $ b", 3, "unexpected character '$'");
  expect_error("'abc", 1, "unterminated string");
  expect_error("12ab", 3, "after the number");
  expect_error("99999999999999999999", 1, "does not fit in 64 bits");
  expect_error("mn(a, b)", 1, "did you mean 'min'?");
  expect_error("ceil_div(1)", 1, "ceil_div() takes 2 arguments, got 1");
  expect_error("max()", 1, "needs at least one argument");
  expect_error("a in [1] < 2", 10, "cannot be compared further");
}

TEST(ExprErrors, EvaluationErrorsPointAtTheOperator) {
  expect_error("a / 0", 3, "division by zero in '/'");
  expect_error("a // (b - 2)", 3, "division by zero in '//'");
  expect_error("a % 0", 3, "division by zero in '%'");
  expect_error("x % 0.0", 3, "division by zero in '%'");
  expect_error("0 ** -1", 3, "0 cannot be raised to a negative power");
  expect_error("a * 4611686018427387904", 3, "integer overflow in '*'");
  expect_error("9223372036854775807 + t", 21, "integer overflow in '+'");
  expect_error("2 ** 63", 3, "integer overflow in '**'");
  expect_error("(-8) ** 0.5", 6, "fractional power");
  expect_error("s + 1", 3, "unsupported operands for '+': string 'ikj' and int 1");
  expect_error("s < 1", 3, "cannot compare string 'ikj' with int 1 using '<'");
  expect_error("-s", 1, "bad operand for unary '-'");
  expect_error("log2(0)", 1, "log2() needs a positive number");
  expect_error("int('x1')", 1, "int() cannot convert string 'x1'");
  expect_error("ceil_div(a, 0)", 1, "division by zero in ceil_div()");
  expect_error("min(s, 1)", 1, "min() does not accept");
  expect_error("b * (1 / 0)", 8, "division by zero");  // constant fold deferred to run time
}

TEST(ExprErrors, UnknownNamesListKnownOnesAndSuggest) {
  try {
    eval("BX * 2");
    FAIL();
  } catch (const ExprError& e) {
    EXPECT_EQ(e.column(), 1u);
    std::string m = e.what();
    EXPECT_NE(m.find("unknown name 'BX'"), std::string::npos) << m;
    EXPECT_NE(m.find("known: a, b, c, device.sm_count"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'b'?"), std::string::npos) << m;
  }
  Env env;
  env.set("BM", 64);
  env.set("BN", 64);
  try {
    Expr::parse("BM * bn").evaluate(env);
    FAIL();
  } catch (const ExprError& e) {
    EXPECT_EQ(e.column(), 6u);
    EXPECT_NE(std::string(e.what()).find("did you mean 'BN'?"), std::string::npos) << e.what();
  }
  try {
    Expr::parse("zzzzzz").evaluate(env);
    FAIL();
  } catch (const ExprError& e) {
    EXPECT_EQ(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
  }
}

TEST(ExprErrors, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  EXPECT_THROW(Expr::parse(deep + "1" + std::string(5000, ')')), ExprError);
  std::string minus(5000, '-');
  EXPECT_THROW(Expr::parse(minus + "1"), ExprError);
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += "+1";
  EXPECT_THROW(Expr::parse(chain), ExprError);
  std::string ok = "1";
  for (int i = 0; i < 500; ++i) ok += "+1";
  EXPECT_EQ(Expr::parse(ok).evaluate({}), Value(501));
}

TEST(ExprErrors, EmptyExprIsABug) {
  Expr e;
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.text(), "");
  EXPECT_TRUE(e.names().empty());
  EXPECT_THROW(e.evaluate({}), InternalError);
}

TEST(ExprErrors, DescribeShowsACaret) {
  try {
    Expr::parse("KWG % (MDIMC");
    FAIL();
  } catch (const ExprError& e) {
    std::string d = describe_expr_error("KWG % (MDIMC", e);
    EXPECT_NE(d.find("\n  KWG % (MDIMC\n              ^"), std::string::npos) << d;
  }
}

TEST(ExprParse, ConjunctsSplitTopLevelAnds) {
  Expr e = Expr::parse("a > 1 and (b < 2 or c) && 0 <= d < 4");
  auto parts = e.conjuncts();
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].names(), std::vector<std::string>{"a"});
  EXPECT_EQ(parts[1].names(), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(parts[2].names(), std::vector<std::string>{"d"});
  EXPECT_EQ(parts[3].names(), std::vector<std::string>{"d"});
  Env env;
  env.set("a", 2);
  env.set("b", 5);
  env.set("c", 0);
  env.set("d", 3);
  EXPECT_EQ(parts[0].evaluate(env), Value(true));
  EXPECT_EQ(parts[1].evaluate(env), Value(false));
  EXPECT_EQ(parts[3].evaluate(env), Value(true));
  EXPECT_EQ(parts[0].text(), e.text());
  Expr single = Expr::parse("a or b and c");
  ASSERT_EQ(single.conjuncts().size(), 1u);
  EXPECT_EQ(single.conjuncts()[0].names(), single.names());
  EXPECT_TRUE(Expr().conjuncts().empty());
}

TEST(ExprConstant, WrapsAValue) {
  Expr e = Expr::constant(Value(16));
  EXPECT_EQ(e.evaluate({}), Value(16));
  EXPECT_TRUE(e.names().empty());
  EXPECT_EQ(e.text(), "16");
  EXPECT_EQ(Expr::constant(Value("ikj")).evaluate({}), Value("ikj"));
}

TEST(ExprBind, SlotsAndConstantsFold) {
  Env constants;
  constants.set("M", 4096);
  constants.set("device.warp_size", 32);
  Expr e = Expr::parse("M % BM == 0 and BM * BN >= device.warp_size");
  std::vector<std::string> slots{"BN", "BM"};
  BoundExpr b = e.bind(std::span<const std::string>(slots), constants);
  EXPECT_EQ(b.slots(), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(b.text(), e.text());
  std::vector<Value> v{Value(4), Value(64)};
  EXPECT_TRUE(b.test(v));
  EXPECT_EQ(b.evaluate(v), Value(true));
  v = {Value(4), Value(4)};
  EXPECT_FALSE(b.test(v));
  v = {Value(4), Value(48)};
  EXPECT_FALSE(b.test(v));

  // The function form.
  BoundExpr f = e.bind(
      [](std::string_view name) -> std::optional<std::size_t> {
        if (name == "BM") return 0;
        if (name == "BN") return 1;
        return std::nullopt;
      },
      constants);
  std::vector<Value> w{Value(64), Value(4)};
  EXPECT_TRUE(f.test(w));
}

TEST(ExprBind, UnknownNamesSuggest) {
  std::vector<std::string> slots{"MWG", "NWG", "KWG"};
  Env constants;
  constants.set("device.sm_count", 80);
  try {
    Expr::parse("MWG % MDG == 0").bind(std::span<const std::string>(slots), constants);
    FAIL();
  } catch (const ExprError& e) {
    EXPECT_EQ(e.column(), 7u);
    std::string m = e.what();
    EXPECT_NE(m.find("unknown name 'MDG'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'MWG'?"), std::string::npos) << m;
    EXPECT_NE(m.find("device.sm_count"), std::string::npos) << m;
  }
  EXPECT_THROW(Expr::parse("device.sm_cont > 1").bind(std::span<const std::string>(slots),
                                                     constants),
               ExprError);
}

TEST(ExprBind, TestIsFalseOnFaults) {
  std::vector<std::string> slots{"a", "b"};
  BoundExpr b = Expr::parse("a % b == 0").bind(std::span<const std::string>(slots), {});
  std::vector<Value> zero{Value(4), Value(0)};
  EXPECT_FALSE(b.test(zero));
  EXPECT_THROW(b.evaluate(zero), ExprError);
  auto why = b.fault(zero);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("division by zero"), std::string::npos);
  std::vector<Value> ok{Value(4), Value(2)};
  EXPECT_FALSE(b.fault(ok).has_value());
}

TEST(ExprBind, StringSlotsCompare) {
  std::vector<std::string> slots{"LOOP", "BM"};
  BoundExpr b = Expr::parse("LOOP == 'ikj' or BM > 32").bind(std::span<const std::string>(slots), {});
  std::vector<Value> v{Value("ikj"), Value(16)};
  EXPECT_TRUE(b.test(v));
  v = {Value("ijk"), Value(16)};
  EXPECT_FALSE(b.test(v));
  v = {Value("ijk"), Value(64)};
  EXPECT_TRUE(b.test(v));
}

// Property: a bound program (with constants folded in) gives exactly what evaluate() gives,
// value and kind, for random inputs, including faults.
TEST(ExprBind, AgreesWithEvaluate) {
  const std::vector<std::string> texts = {
      "a % ((b * c) / d) == 0",
      "a // b + c % d - (a ** 2) // (d + 100)",
      "a / b if b != 0 else -1",
      "min(a, b, K) * max(c, d) - ceil_div(a, K)",
      "a in [1, 2, K, 8] or not b in [c, d]",
      "(a > b) + (c <= d) * 2",
      "is_pow2(a) && log2(abs(a) + 1) > 2 || b == K",
      "float(a) / K + int(c / 3) - floor(d / 2.5) + ceil(b / 4)",
      "K ** 2 % (a + 1) >= b and 1 < c < 10",
      "abs(a - b) ** 3 // (c - d)",
  };
  std::vector<std::string> slot_names{"a", "b", "c", "d"};
  Env constants;
  constants.set("K", 4);
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int> dist(-20, 20);
  for (const auto& text : texts) {
    Expr e = Expr::parse(text);
    BoundExpr b = e.bind(std::span<const std::string>(slot_names), constants);
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<Value> slots;
      Env env = constants;
      for (const auto& n : slot_names) {
        int v = dist(rng);
        Value val = trial % 3 == 0 ? Value(v * 0.5) : Value(v);
        slots.push_back(val);
        env.set(n, val);
      }
      std::optional<Value> from_env, from_bound;
      std::string err_env, err_bound;
      try { from_env = e.evaluate(env); } catch (const ExprError& x) { err_env = x.what(); }
      try { from_bound = b.evaluate(slots); } catch (const ExprError& x) { err_bound = x.what(); }
      ASSERT_EQ(from_env.has_value(), from_bound.has_value()) << text << ": " << err_env << " / "
                                                              << err_bound;
      if (from_env) {
        EXPECT_EQ(from_env->kind(), from_bound->kind()) << text;
        if (!(from_env->is_float() && std::isnan(from_env->as_double()))) {
          EXPECT_EQ(*from_env, *from_bound) << text;
        }
        EXPECT_EQ(b.test(slots), from_env->truthy()) << text;
      } else {
        EXPECT_EQ(err_env, err_bound) << text;
        EXPECT_FALSE(b.test(slots)) << text;
      }
    }
  }
}

// Constant folding goes through the general operator code; run time takes the machine's fast
// paths for ints and floats. Both must give the same value, kind and error for every operator.
TEST(ExprEval, FastPathsAgreeWithFolding) {
  const std::vector<Value> operands = {
      Value(0), Value(1), Value(-1), Value(7), Value(-7), Value(3), Value(2.5), Value(-2.5),
      Value(0.0), Value(-0.0), Value(1.5), Value(32), Value(8.0), Value(true), Value(false),
      Value(std::int64_t{9007199254740993}), Value(9007199254740992.0),
      Value(std::int64_t{9223372036854775807}), Value(std::int64_t{-9223372036854775807} - 1),
      Value(1e308), Value(std::nan(""))};
  const char* ops[] = {"+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">="};
  auto literal = [](const Value& v) -> std::string {
    if (v.is_bool()) return v.truthy() ? "True" : "False";
    if (v.is_float() && std::isnan(v.as_double())) return "float('nan')";
    if (v.is_float()) return "float('" + v.to_string() + "')";
    if (v.as_int() == INT64_MIN) return "(-9223372036854775807 - 1)";
    return "(" + v.to_string() + ")";
  };
  auto outcome = [](const Expr& e, const Env& env) -> std::string {
    try {
      Value v = e.evaluate(env);
      return std::string(value_kind_name(v.kind())) + ":" + v.to_string();
    } catch (const ExprError& err) {
      std::string m = err.what();
      return "error:" + m.substr(m.find(':'));
    }
  };
  for (const auto& a : operands) {
    for (const auto& b : operands) {
      Env env;
      env.set("a", a);
      env.set("b", b);
      for (const char* op : ops) {
        std::string folded_text = literal(a) + " " + op + " " + literal(b);
        std::string run_text = std::string("a ") + op + " b";
        std::string folded = outcome(Expr::parse(folded_text), env);
        std::string run = outcome(Expr::parse(run_text), env);
        // Error messages carry columns that differ between the two texts; compare the rest.
        if (folded.rfind("error", 0) == 0) {
          EXPECT_EQ(run.rfind("error", 0), 0u) << folded_text << " -> " << folded << " / " << run;
        } else {
          EXPECT_EQ(folded, run) << folded_text;
        }
      }
    }
  }
}

TEST(ExprBind, ManyNamesUseAHeapStack) {
  // More operands pending at once than the machine's inline stack holds.
  std::string text = "0";
  for (int i = 0; i < 60; ++i) text = "(" + std::to_string(i) + " + " + text + ")";
  EXPECT_EQ(Expr::parse(text).evaluate({}), Value(1770));
  std::string calls = "max(";
  for (int i = 0; i < 100; ++i) calls += (i ? ", " : "") + std::string("v + ") + std::to_string(i);
  calls += ")";
  Env env;
  env.set("v", 1);
  EXPECT_EQ(Expr::parse(calls).evaluate(env), Value(100));
}

}  // namespace
}  // namespace tuna
