// The sleep between MPI polls (cluster/poll_backoff.hpp): short at first, so that a prompt reply
// costs little latency, and capped, so that a long wait costs few polls.
#include <gtest/gtest.h>

#include <chrono>

#include "cluster/poll_backoff.hpp"

namespace tuna::cluster {
namespace {

using std::chrono::microseconds;

TEST(PollBackoff, StartsShortDoublesAndStopsAtTheCap) {
  PollBackoff backoff;
  EXPECT_EQ(backoff.next(), microseconds(200));
  EXPECT_EQ(backoff.next(), microseconds(400));
  EXPECT_EQ(backoff.next(), microseconds(800));
  EXPECT_EQ(backoff.next(), microseconds(1600));
  EXPECT_EQ(backoff.next(), microseconds(3200));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(backoff.next(), PollBackoff::kCap);
}

TEST(PollBackoff, AOneSecondWaitPollsAFewHundredTimesNotThousands) {
  // The former fixed 200 us sleep polled 5000 times a second.
  PollBackoff backoff;
  int polls = 0;
  for (microseconds slept{0}; slept < std::chrono::seconds(1); slept += backoff.next()) ++polls;
  EXPECT_LE(polls, 205);
  EXPECT_GE(polls, 150);
}

}  // namespace
}  // namespace tuna::cluster
