#pragma once
// A small, stable content hash for cache keys (compiled artifacts, specs, stored results).
// 128-bit FNV-1a: not cryptographic, but fixed forever, identical on every platform and
// compiler, and wide enough that accidental collisions between cache entries do not happen.
// Changing the algorithm would silently invalidate every cache and database, so don't.
#include <cstdint>
#include <string>
#include <string_view>

namespace tuna {

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit integer.
__extension__ typedef unsigned __int128 HashWord;

class ContentHasher {
 public:
  // Feeds raw bytes. update("ab") then update("c") equals update("abc").
  ContentHasher& update(std::string_view data);
  // Feeds one field of a record, prefixed with its length, so that ("ab", "c") and
  // ("a", "bc") hash differently. Prefer this when hashing several values.
  ContentHasher& field(std::string_view data);
  ContentHasher& field(std::int64_t value);
  // 32 lower-case hex digits. Does not reset the state: more data may follow.
  std::string hex() const;

 private:
  HashWord state_ = initial_state();
  static constexpr HashWord initial_state() {
    return (static_cast<HashWord>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  }
};

// The hash of one piece of data, as 32 hex digits.
std::string content_hash_hex(std::string_view data);

}  // namespace tuna
