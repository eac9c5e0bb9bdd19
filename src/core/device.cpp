#include "tuna/device.hpp"

namespace tuna {

Env DeviceInfo::as_env() const {
  Env env;
  for (const auto& [name, value] : facts.values()) env.set("device." + name, value);
  return env;
}

}  // namespace tuna
