#include "base/hash.hpp"

#include <array>

namespace tuna {
namespace {

// The 128-bit FNV prime, 2^88 + 2^8 + 0x3b.
constexpr HashWord kFnvPrime = (static_cast<HashWord>(1) << 88) | 0x13b;

}  // namespace

ContentHasher& ContentHasher::update(std::string_view data) {
  for (unsigned char byte : data) {
    state_ ^= byte;
    state_ *= kFnvPrime;
  }
  return *this;
}

ContentHasher& ContentHasher::field(std::string_view data) {
  field(static_cast<std::int64_t>(data.size()));
  return update(data);
}

ContentHasher& ContentHasher::field(std::int64_t value) {
  // Little-endian bytes, so the hash does not depend on the host's byte order.
  std::array<char, 8> bytes{};
  auto bits = static_cast<std::uint64_t>(value);
  for (auto& b : bytes) {
    b = static_cast<char>(bits & 0xff);
    bits >>= 8;
  }
  return update(std::string_view(bytes.data(), bytes.size()));
}

std::string ContentHasher::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  HashWord v = state_;
  for (int i = 31; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[static_cast<unsigned>(v & 0xf)];
    v >>= 4;
  }
  return out;
}

std::string content_hash_hex(std::string_view data) { return ContentHasher().update(data).hex(); }

}  // namespace tuna
