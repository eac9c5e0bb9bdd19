#pragma once
// Length-prefixed JSON messages over a pair of pipes, the protocol between tuna and its bench
// worker. A frame is a 4-byte little-endian length followed by that many bytes of JSON text.
// Reads take a deadline so a hung peer is noticed; a closed pipe is reported, never thrown past
// the caller as a crash.
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tuna::eval {

enum class ReadStatus { Ok, Closed, TimedOut };

struct ReadResult {
  ReadStatus status = ReadStatus::Closed;
  nlohmann::json message;
};

// Frames larger than this are a protocol error (a corrupted stream), not data.
constexpr std::size_t kMaxFrameBytes = std::size_t{1} << 30;

// Writes one frame. Returns false when the peer has closed its end.
bool write_message(int fd, const nlohmann::json& message);
// Reads one frame, waiting at most `timeout` (a negative timeout waits forever).
ReadResult read_message(int fd, std::chrono::milliseconds timeout);

}  // namespace tuna::eval
