#include "base/usable_cores.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace tuna {

unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<unsigned>(count);
  }
  return machine_cores();
}

unsigned machine_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace tuna
