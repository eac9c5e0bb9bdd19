#include "base/epoch_seconds.hpp"

#include <chrono>

namespace tuna {

double epoch_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace tuna
