// Random inputs (`init = "random"`) are drawn in chunks on every core: the values must depend
// on the seed alone (not on how many cores the process may use), buffers of up to one chunk must
// hold what they held before chunks, and every chunk must be a fresh stream within the range.
#include <gtest/gtest.h>
#include <sched.h>

#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "tuna/spec.hpp"

namespace tuna::testing {
namespace {

constexpr std::int64_t kChunk = std::int64_t{1} << 20;

Argument random_f32(double lo, double hi) {
  Argument a;
  a.name = "x";
  a.dtype = Dtype::F32;
  a.is_buffer = true;
  a.init = InitKind::Random;
  a.random_lo = lo;
  a.random_hi = hi;
  return a;
}

std::vector<float> fill(const Argument& a, std::int64_t count, std::uint64_t seed = 7) {
  std::vector<float> values(static_cast<std::size_t>(count));
  backends::fill_initial(a, seed, 0, reinterpret_cast<unsigned char*>(values.data()), count);
  return values;
}

// Restores the calling thread's CPU affinity when it goes.
struct PinnedToOneCore {
  cpu_set_t saved;
  PinnedToOneCore() {
    EXPECT_EQ(::sched_getaffinity(0, sizeof saved, &saved), 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &saved)) {
        CPU_SET(cpu, &one);
        break;
      }
    EXPECT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  }
  ~PinnedToOneCore() { ::sched_setaffinity(0, sizeof saved, &saved); }
};

TEST(RandomFill, TheValuesDoNotDependOnHowManyCoresFillThem) {
  const Argument a = random_f32(-1, 1);
  const std::int64_t count = 5 * kChunk + 12345;  // several chunks and a partial one
  const std::vector<float> all_cores = fill(a, count);
  std::vector<float> one_core;
  {
    PinnedToOneCore pinned;
    one_core = fill(a, count);
  }
  ASSERT_EQ(all_cores.size(), one_core.size());
  EXPECT_EQ(std::memcmp(all_cores.data(), one_core.data(), all_cores.size() * sizeof(float)), 0);
}

TEST(RandomFill, TheFirstChunkIsTheStreamOfTheArgumentsSeed) {
  const Argument a = random_f32(-2, 3);
  const std::vector<float> values = fill(a, kChunk + 10, 11);
  std::mt19937_64 rng(11 + 0);  // seed + the argument's index
  std::uniform_real_distribution<double> dist(-2, 3);
  for (std::int64_t i = 0; i < kChunk; ++i)
    ASSERT_EQ(values[static_cast<std::size_t>(i)], static_cast<float>(dist(rng))) << i;
  // The second chunk has a stream of its own: not the first stream's continuation.
  EXPECT_NE(values[static_cast<std::size_t>(kChunk)], static_cast<float>(dist(rng)));
}

TEST(RandomFill, EveryChunkIsADifferentStreamWithinTheRange) {
  const Argument a = random_f32(0.5, 4);
  const std::vector<float> values = fill(a, 4 * kChunk);
  std::set<float> chunk_starts;
  for (std::int64_t c = 0; c < 4; ++c) {
    chunk_starts.insert(values[static_cast<std::size_t>(c * kChunk)]);
    chunk_starts.insert(values[static_cast<std::size_t>(c * kChunk + 1)]);
  }
  EXPECT_EQ(chunk_starts.size(), 8u) << "two chunks start with the same values";
  for (float v : values) ASSERT_TRUE(v >= 0.5f && v <= 4.0f) << v;
}

TEST(RandomFill, AnotherSeedGivesOtherValuesInEveryChunk) {
  const Argument a = random_f32(-1, 1);
  const std::vector<float> one = fill(a, 3 * kChunk, 1);
  const std::vector<float> two = fill(a, 3 * kChunk, 2);
  for (std::int64_t c = 0; c < 3; ++c) {
    const auto at = static_cast<std::size_t>(c * kChunk + 5);
    EXPECT_NE(one[at], two[at]) << "chunk " << c;
  }
}

TEST(RandomFill, IntegersAreChunkedTooAndStayInTheirRange) {
  Argument a = random_f32(-8, 8);
  a.dtype = Dtype::I32;
  const std::int64_t count = 2 * kChunk + 3;
  std::vector<std::int32_t> values(static_cast<std::size_t>(count));
  backends::fill_initial(a, 3, 0, reinterpret_cast<unsigned char*>(values.data()), count);
  std::set<std::int32_t> seen(values.begin(), values.end());
  EXPECT_EQ(*seen.begin(), -8);
  EXPECT_EQ(*seen.rbegin(), 8);
  EXPECT_EQ(seen.size(), 17u);
}

}  // namespace
}  // namespace tuna::testing
