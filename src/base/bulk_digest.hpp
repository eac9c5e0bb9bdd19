#pragma once
// A fast digest of bulk data: the input and expected-output files a spec names, which may hold
// gigabytes (tune_kernel hands NumPy arrays over as files). ContentHasher's FNV-1a runs one
// byte at a time through a 128-bit multiply, about 0.35 s for 256 MiB on the development
// machine, and every command that opens the store pays it (`tune`, then `show` right after);
// this digest reads 32 bytes a step on four independent 64-bit lanes, about 20 times faster.
// Not cryptographic. Its output is part of stored spec hashes: fixed forever, like
// ContentHasher (a known-answer test pins it).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tuna {

class BulkDigest {
 public:
  // Feeds raw bytes. update("ab") then update("c") equals update("abc").
  BulkDigest& update(std::string_view data);
  // 32 lower-case hex digits of everything fed so far. Does not reset the state.
  std::string hex() const;

 private:
  static constexpr std::size_t kStripe = 32;  // four lanes of 8 bytes
  void absorb(const unsigned char* stripe);

  std::array<std::uint64_t, 4> lanes_{0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL,
                                      0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL};
  std::array<unsigned char, kStripe> pending_{};  // bytes of a stripe not yet complete
  std::size_t pending_size_ = 0;
  std::uint64_t length_ = 0;
};

}  // namespace tuna
