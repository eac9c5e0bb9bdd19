// The framing between tuna and its bench worker: round trips, timeouts, closed pipes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "eval/message_channel.hpp"

using namespace tuna::eval;
using namespace std::chrono_literals;

namespace {
struct PipePair {
  int fds[2];
  PipePair() { EXPECT_EQ(::pipe(fds), 0); }
  ~PipePair() {
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  void close_write() {
    ::close(fds[1]);
    fds[1] = -1;
  }
};
}  // namespace

TEST(MessageChannel, RoundTripsJson) {
  PipePair p;
  nlohmann::json sent = {{"cmd", "run"}, {"times", {1.5, 2.5}}, {"text", "a\nb \"quoted\""}};
  ASSERT_TRUE(write_message(p.fds[1], sent));
  ReadResult got = read_message(p.fds[0], 1000ms);
  ASSERT_EQ(got.status, ReadStatus::Ok);
  EXPECT_EQ(got.message, sent);
}

TEST(MessageChannel, LargeMessagesArriveWhole) {
  PipePair p;
  nlohmann::json sent = {{"blob", std::string(1 << 20, 'x')}};  // larger than a pipe's buffer
  std::thread writer([&] { EXPECT_TRUE(write_message(p.fds[1], sent)); });
  ReadResult got = read_message(p.fds[0], 5000ms);
  writer.join();
  ASSERT_EQ(got.status, ReadStatus::Ok);
  EXPECT_EQ(got.message["blob"].get<std::string>().size(), std::size_t{1} << 20);
}

TEST(MessageChannel, SilentPeerTimesOut) {
  PipePair p;
  auto start = std::chrono::steady_clock::now();
  ReadResult got = read_message(p.fds[0], 100ms);
  EXPECT_EQ(got.status, ReadStatus::TimedOut);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);
}

TEST(MessageChannel, ClosedPeerIsReported) {
  PipePair p;
  p.close_write();
  EXPECT_EQ(read_message(p.fds[0], 1000ms).status, ReadStatus::Closed);
}

TEST(MessageChannel, TruncatedFrameIsClosedNotACrash) {
  PipePair p;
  const char partial[] = {10, 0, 0, 0, '{', '"'};  // says 10 bytes, sends 2, then closes
  ASSERT_EQ(::write(p.fds[1], partial, sizeof partial), static_cast<ssize_t>(sizeof partial));
  p.close_write();
  EXPECT_EQ(read_message(p.fds[0], 1000ms).status, ReadStatus::Closed);
}

TEST(MessageChannel, GarbageJsonIsClosedNotACrash) {
  PipePair p;
  const char frame[] = {3, 0, 0, 0, '{', '{', '{'};
  ASSERT_EQ(::write(p.fds[1], frame, sizeof frame), static_cast<ssize_t>(sizeof frame));
  EXPECT_EQ(read_message(p.fds[0], 1000ms).status, ReadStatus::Closed);
}

TEST(MessageChannel, WritingToAClosedPeerFails) {
  PipePair p;
  ::signal(SIGPIPE, SIG_IGN);
  ::close(p.fds[0]);
  p.fds[0] = -1;
  EXPECT_FALSE(write_message(p.fds[1], {{"cmd", "hello"}}));
}
