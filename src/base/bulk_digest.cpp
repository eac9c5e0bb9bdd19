#include "base/bulk_digest.hpp"

#include <bit>
#include <cstring>

namespace tuna {
namespace {

// Odd constants with well-spread bits (the fractional digits of sqrt(2) and of the golden
// ratio, and a third from the digits of e).
constexpr std::uint64_t kMulA = 0x6a09e667f3bcc909ULL;
constexpr std::uint64_t kMulB = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kMulC = 0xb7e151628aed2a6bULL;

// Little-endian load, so the digest is the same on every host.
std::uint64_t load_le(const unsigned char* p) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// One lane's step: every input bit reaches the high half through the multiply, and the
// rotation brings it back down for the next step.
std::uint64_t mix_word(std::uint64_t lane, std::uint64_t word) {
  lane += word * kMulA;
  lane = std::rotl(lane, 29);
  return lane * kMulB;
}

// A final avalanche: each output bit depends on every input bit.
std::uint64_t avalanche(std::uint64_t v) {
  v ^= v >> 31;
  v *= kMulC;
  v ^= v >> 29;
  v *= kMulB;
  v ^= v >> 32;
  return v;
}

constexpr char kDigits[] = "0123456789abcdef";

void put_hex(std::uint64_t v, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[v & 0xf];
    v >>= 4;
  }
}

}  // namespace

void BulkDigest::absorb(const unsigned char* stripe) {
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane)
    lanes_[lane] = mix_word(lanes_[lane], load_le(stripe + 8 * lane));
}

BulkDigest& BulkDigest::update(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t left = data.size();
  length_ += left;
  if (pending_size_ > 0) {
    const std::size_t take = std::min(left, kStripe - pending_size_);
    std::memcpy(pending_.data() + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    left -= take;
    if (pending_size_ < kStripe) return *this;
    absorb(pending_.data());
    pending_size_ = 0;
  }
  for (; left >= kStripe; p += kStripe, left -= kStripe) absorb(p);
  std::memcpy(pending_.data(), p, left);
  pending_size_ = left;
  return *this;
}

std::string BulkDigest::hex() const {
  // The tail (fewer than 32 bytes) goes through the lanes zero-padded; the length tells
  // "ab" from "ab\0".
  std::array<std::uint64_t, 4> lanes = lanes_;
  std::array<unsigned char, kStripe> tail{};
  std::memcpy(tail.data(), pending_.data(), pending_size_);
  for (std::size_t lane = 0; lane < lanes.size(); ++lane)
    lanes[lane] = mix_word(lanes[lane], load_le(tail.data() + 8 * lane));
  const std::uint64_t low =
      avalanche(lanes[0] ^ std::rotl(lanes[1], 17) ^ std::rotl(lanes[2], 34) ^
                std::rotl(lanes[3], 51) ^ length_);
  const std::uint64_t high =
      avalanche(lanes[3] ^ std::rotl(lanes[2], 23) ^ std::rotl(lanes[1], 41) ^
                std::rotl(lanes[0], 7) ^ (length_ * kMulC) ^ low);
  std::string out(32, '0');
  put_hex(high, out.data());
  put_hex(low, out.data() + 16);
  return out;
}

}  // namespace tuna
