#pragma once
// How long a rank sleeps between polls of MPI while it waits (for a message, for a large send to
// be matched). MpiSession must poll: it keeps MPI to one thread at a time with a mutex, and a
// blocking MPI call would hold that mutex and stop the rank's other threads.
//
// The sleep starts short, so that a reply that comes at once is picked up within a fraction of a
// millisecond, and doubles up to a cap, so that a rank that waits long (a follower between jobs,
// the leader while a follower compiles) costs a few hundred polls a second, not 5000. Each
// receive starts again from kFirst: one 1 s receive polls 205 times, but the leader waits for a
// follower in 20 ms receives (450 polls a second) and a follower for the leader in 100 ms ones
// (250 a second). With a fixed 200 us sleep, a waiting rank under AddressSanitizer used about
// 90% of a core: two ranks kept both cores of a 2-core machine busy, and the kernel took minutes
// to reap a compile child (docs/building.md, "A hang under the sanitizers").
#include <algorithm>
#include <chrono>

namespace tuna::cluster {

class PollBackoff {
 public:
  static constexpr std::chrono::microseconds kFirst{200};
  static constexpr std::chrono::microseconds kCap{5000};

  // The sleep before the next poll; each call doubles the following one, up to kCap.
  std::chrono::microseconds next() {
    std::chrono::microseconds now = interval_;
    interval_ = std::min(interval_ * 2, kCap);
    return now;
  }

 private:
  std::chrono::microseconds interval_ = kFirst;
};

}  // namespace tuna::cluster
