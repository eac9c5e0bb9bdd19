#include "eval/message_channel.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "tuna/errors.hpp"

namespace tuna::eval {
namespace {

using Clock = std::chrono::steady_clock;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE: the peer is gone
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Milliseconds left until `deadline`, or -1 for "no deadline".
int poll_timeout(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

ReadStatus read_exact(int fd, char* data, std::size_t size,
                      std::optional<Clock::time_point> deadline) {
  while (size > 0) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, poll_timeout(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ReadStatus::Closed;
    }
    if (ready == 0) return ReadStatus::TimedOut;
    ssize_t n = ::read(fd, data, size);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return ReadStatus::Closed;
    }
    if (n == 0) return ReadStatus::Closed;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ReadStatus::Ok;
}

}  // namespace

bool write_message(int fd, const nlohmann::json& message) {
  std::string text = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  TUNA_ASSERT(text.size() < kMaxFrameBytes, "message too large to send");
  auto size = static_cast<std::uint32_t>(text.size());
  char header[4] = {static_cast<char>(size & 0xff), static_cast<char>((size >> 8) & 0xff),
                    static_cast<char>((size >> 16) & 0xff), static_cast<char>((size >> 24) & 0xff)};
  return write_all(fd, header, 4) && write_all(fd, text.data(), text.size());
}

ReadResult read_message(int fd, std::chrono::milliseconds timeout) {
  std::optional<Clock::time_point> deadline;
  if (timeout.count() >= 0) deadline = Clock::now() + timeout;
  unsigned char header[4];
  ReadResult result;
  result.status = read_exact(fd, reinterpret_cast<char*>(header), 4, deadline);
  if (result.status != ReadStatus::Ok) return result;
  std::uint32_t size = header[0] | (header[1] << 8) | (header[2] << 16) |
                       (static_cast<std::uint32_t>(header[3]) << 24);
  if (size > kMaxFrameBytes) {
    result.status = ReadStatus::Closed;
    return result;
  }
  std::string text(size, '\0');
  result.status = read_exact(fd, text.data(), size, deadline);
  if (result.status != ReadStatus::Ok) return result;
  result.message = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (result.message.is_discarded()) result.status = ReadStatus::Closed;
  return result;
}

}  // namespace tuna::eval
