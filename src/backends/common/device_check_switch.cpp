#include "backends/common/device_check_switch.hpp"

#include <cstdlib>
#include <string>

namespace tuna::backends {

bool device_check_enabled() {
  const char* host = std::getenv("TUNA_HOST_CHECK");
  return host == nullptr || *host == '\0' || std::string(host) == "0";
}

}  // namespace tuna::backends
