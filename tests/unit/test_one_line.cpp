#include <gtest/gtest.h>

#include "base/one_line.hpp"

using tuna::eval::one_line;

TEST(OneLine, FirstNonEmptyLineTrimmed) {
  EXPECT_EQ(one_line("\n   \n  error: boom  \nmore"), "error: boom");
}

TEST(OneLine, LongLinesAreCut) {
  std::string cut = one_line(std::string(500, 'a'), 20);
  EXPECT_EQ(cut.size(), 20u);
  EXPECT_EQ(cut.substr(17), "...");
}

TEST(OneLine, EmptyStaysEmpty) { EXPECT_EQ(one_line(" \n\t\n"), ""); }
