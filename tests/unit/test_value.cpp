#include <gtest/gtest.h>

#include "tuna/errors.hpp"
#include "tuna/value.hpp"

namespace tuna {
namespace {

TEST(Value, KindsAndAccessors) {
  EXPECT_TRUE(Value(3).is_int());
  EXPECT_TRUE(Value(std::int64_t{3}).is_int());
  EXPECT_TRUE(Value(0.5).is_float());
  EXPECT_TRUE(Value(true).is_bool());
  EXPECT_TRUE(Value("ikj").is_string());
  EXPECT_TRUE(Value(true).is_number());
  EXPECT_FALSE(Value("x").is_number());
  EXPECT_EQ(Value().as_int(), 0);
  EXPECT_STREQ(value_kind_name(ValueKind::String), "string");
}

TEST(Value, ConversionsFollowTheKind) {
  EXPECT_EQ(Value(true).as_int(), 1);
  EXPECT_EQ(Value(64.0).as_int(), 64);
  EXPECT_DOUBLE_EQ(Value(3).as_double(), 3.0);
  EXPECT_EQ(Value("abc").as_string(), "abc");
  EXPECT_THROW(Value("abc").as_int(), UserError);
  EXPECT_THROW(Value("abc").as_double(), UserError);
  EXPECT_THROW(Value(3).as_string(), UserError);
  // A fractional float is not silently truncated: the message suggests // or ceil_div.
  try {
    Value(2.5).as_int();
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("ceil_div"), std::string::npos) << e.what();
  }
}

TEST(Value, Truthiness) {
  EXPECT_FALSE(Value(0).truthy());
  EXPECT_TRUE(Value(-1).truthy());
  EXPECT_FALSE(Value(0.0).truthy());
  EXPECT_TRUE(Value(0.1).truthy());
  EXPECT_FALSE(Value("").truthy());
  EXPECT_TRUE(Value("x").truthy());
  EXPECT_FALSE(Value(false).truthy());
}

TEST(Value, CanonicalText) {
  EXPECT_EQ(Value(64).to_string(), "64");
  EXPECT_EQ(Value(-7).to_string(), "-7");
  EXPECT_EQ(Value(0.5).to_string(), "0.5");
  EXPECT_EQ(Value(2.0).to_string(), "2.0");
  EXPECT_EQ(Value(0.1).to_string(), "0.1");
  EXPECT_EQ(Value(1e-7).to_string(), "1e-07");
  EXPECT_EQ(Value(true).to_string(), "true");
  EXPECT_EQ(Value("ikj").to_string(), "ikj");
  EXPECT_EQ(Value(true).to_define(), "1");
  EXPECT_EQ(Value(false).to_define(), "0");
  EXPECT_EQ(Value(16).to_define(), "16");
  // Float text reads back to the same double.
  double x = 0.1 + 0.2;
  EXPECT_EQ(std::stod(Value(x).to_string()), x);
}

TEST(Value, NumbersCompareAcrossKinds) {
  EXPECT_EQ(Value(1), Value(1.0));
  EXPECT_EQ(Value(1), Value(true));
  EXPECT_EQ(Value(0.0), Value(false));
  EXPECT_NE(Value(1), Value(1.5));
  EXPECT_LT(Value(1), Value(1.5));
  EXPECT_GT(Value(2), Value(true));
  // Exact above 2^53, where converting the int to double would round.
  std::int64_t big = (std::int64_t{1} << 53) + 1;
  EXPECT_NE(Value(big), Value(static_cast<double>(big)));
  EXPECT_GT(Value(big), Value(static_cast<double>(big)));
}

TEST(Value, StringsCompareOnlyWithStrings) {
  EXPECT_EQ(Value("a"), Value("a"));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_LT(Value("a"), Value("b"));
  EXPECT_EQ(Value("a") <=> Value(1), std::partial_ordering::unordered);
}

TEST(Value, ParseValueText) {
  EXPECT_TRUE(parse_value_text("64").is_int());
  EXPECT_EQ(parse_value_text("64"), Value(64));
  EXPECT_EQ(parse_value_text("-3"), Value(-3));
  EXPECT_TRUE(parse_value_text("0.5").is_float());
  EXPECT_TRUE(parse_value_text("1e3").is_float());
  EXPECT_EQ(parse_value_text("True"), Value(true));
  EXPECT_EQ(parse_value_text("false"), Value(false));
  EXPECT_TRUE(parse_value_text("ikj").is_string());
  EXPECT_TRUE(parse_value_text("12abc").is_string());
  EXPECT_TRUE(parse_value_text("").is_string());
}

}  // namespace
}  // namespace tuna
