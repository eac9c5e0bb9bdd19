#include "base/env_var.hpp"

#include <cstdlib>

namespace tuna {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

}  // namespace tuna
