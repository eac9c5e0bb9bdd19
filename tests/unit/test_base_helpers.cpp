// The small helpers of the base layer that several layers share: ASCII case and whitespace,
// environment variables, wall-clock seconds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "base/ascii_text.hpp"
#include "base/env_var.hpp"
#include "base/epoch_seconds.hpp"

namespace tuna {
namespace {

TEST(AsciiText, LowersAsciiLettersOnlyAndLeavesOtherBytesAlone) {
  EXPECT_EQ(ascii_lower("Content-Type: GPT-5 Mini"), "content-type: gpt-5 mini");
  // UTF-8 of "Ä" (0xC3 0x84) and a stray high byte: no locale turns them into something else.
  const std::string utf8 = "\xC3\x84X\xFF";
  EXPECT_EQ(ascii_lower(utf8), "\xC3\x84x\xFF");
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(AsciiText, TrimsEveryKindOfWhitespaceAtBothEndsOnly) {
  EXPECT_EQ(trim_spaces(" \t\r\n\v\fa b\t \r\n"), "a b");
  EXPECT_EQ(trim_spaces("x"), "x");
  EXPECT_EQ(trim_spaces(" \t\n"), "");
  EXPECT_EQ(trim_spaces(""), "");
  // A view into the argument, not a copy.
  const std::string text = "  key ";
  EXPECT_EQ(trim_spaces(text).data(), text.data() + 2);
}

TEST(EnvVar, ValueWhenSetEmptyWhenNot) {
  ::setenv("TUNA_TEST_ENV_VAR", "some value", 1);
  EXPECT_EQ(env_or_empty("TUNA_TEST_ENV_VAR"), "some value");
  ::unsetenv("TUNA_TEST_ENV_VAR");
  EXPECT_EQ(env_or_empty("TUNA_TEST_ENV_VAR"), "");
}

TEST(EpochSeconds, IsTheWallClockWithSubSecondResolution) {
  const double before = static_cast<double>(std::time(nullptr));
  const double now = epoch_seconds();
  const double after = static_cast<double>(std::time(nullptr));
  EXPECT_GE(now, before);
  EXPECT_LT(now, after + 1);
  // Fractions of a second, which result timestamps and phase timers need.
  double later = epoch_seconds();
  while (later == now) later = epoch_seconds();
  EXPECT_LT(later - now, 0.5);
}

}  // namespace
}  // namespace tuna
