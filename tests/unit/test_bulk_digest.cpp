// BulkDigest: the digest of data files inside spec hashes. Stored hashes depend on it, so its
// output is pinned; it must not depend on how the data is split into updates, and it must tell
// apart data that differs in one bit, in length, or only by trailing zero bytes.
#include <gtest/gtest.h>

#include <string>

#include "base/bulk_digest.hpp"

namespace tuna {
namespace {

std::string digest_of(std::string_view data) { return BulkDigest().update(data).hex(); }

// Bytes 0, 1, 2, ... (mod 251, so no stripe repeats another).
std::string counting_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i % 251);
  return s;
}

TEST(BulkDigest, KnownAnswersArePinnedBecauseStoredSpecHashesDependOnThem) {
  EXPECT_EQ(digest_of(""), BulkDigest().hex());
  EXPECT_EQ(digest_of("").size(), 32u);
  // Recorded when the digest was introduced (2026-12-06); a change here re-keys every stored
  // result of a spec with data files.
  EXPECT_EQ(digest_of(""), "f73f2643af9fea535e92e187213464c0");
  EXPECT_EQ(digest_of("a"), "4151206f6ac01d6a6094054a077287db");
  EXPECT_EQ(digest_of(counting_bytes(1000)), "bd44154a6dae784029f37800f6786b10");
}

TEST(BulkDigest, SplittingTheDataIntoUpdatesDoesNotChangeTheDigest) {
  const std::string data = counting_bytes(1000);
  const std::string whole = digest_of(data);
  for (std::size_t first : {0u, 1u, 7u, 31u, 32u, 33u, 64u, 500u, 999u, 1000u}) {
    for (std::size_t second : {0u, 1u, 5u, 40u}) {
      BulkDigest d;
      std::size_t at = 0;
      for (std::size_t step : {first, second}) {
        const std::size_t n = std::min(step, data.size() - at);
        d.update(std::string_view(data).substr(at, n));
        at += n;
      }
      d.update(std::string_view(data).substr(at));
      EXPECT_EQ(d.hex(), whole) << first << " then " << second;
    }
  }
}

TEST(BulkDigest, OneFlippedBitAnywhereChangesTheDigest) {
  const std::string data = counting_bytes(200);
  const std::string base = digest_of(data);
  for (std::size_t i = 0; i < data.size(); ++i) {
    for (int bit : {0, 3, 7}) {
      std::string changed = data;
      changed[i] = static_cast<char>(changed[i] ^ (1 << bit));
      EXPECT_NE(digest_of(changed), base) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(BulkDigest, TrailingZerosAndLengthCount) {
  // The last stripe is padded with zeros inside the digest; the length keeps them apart.
  EXPECT_NE(digest_of("ab"), digest_of(std::string("ab\0", 3)));
  EXPECT_NE(digest_of(""), digest_of(std::string(1, '\0')));
  EXPECT_NE(digest_of(std::string(32, '\0')), digest_of(std::string(64, '\0')));
  EXPECT_NE(digest_of(std::string(31, '\0')), digest_of(std::string(32, '\0')));
}

TEST(BulkDigest, HexIsAViewThatLaterDataExtends) {
  BulkDigest d;
  d.update("abc");
  const std::string early = d.hex();
  EXPECT_EQ(early, d.hex());
  d.update("def");
  EXPECT_EQ(d.hex(), digest_of("abcdef"));
  EXPECT_NE(d.hex(), early);
}

}  // namespace
}  // namespace tuna
