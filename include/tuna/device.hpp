#pragma once
// DeviceInfo: what a backend knows about the device it runs on. Facts are exposed to
// expressions as `device.<name>` (e.g. `device.max_threads_per_block`).
#include <string>

#include "tuna/expr.hpp"

namespace tuna {

struct DeviceInfo {
  std::string backend;  // "host", "cuda", "opencl", "sim"
  std::string name;     // e.g. "AMD EPYC 7B13 (2 cores)", "NVIDIA H100 80GB HBM3"
  std::string id;       // stable identity for the store: name plus driver/compiler versions
  Env facts;            // names without the "device." prefix

  // The facts as `device.<name>` entries, ready to merge into an expression Env.
  Env as_env() const;
};

}  // namespace tuna
