// The table of backends compiled into this binary. A backend whose SDK was missing at build time
// is left out of the table (its CMake condition is off) but still known by name, so that asking
// for it says why it is missing instead of "unknown backend".
#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/host/host_backend.hpp"
#include "backends/sim/sim_backend.hpp"
#if defined(TUNA_HAVE_CUDA)
#include "backends/cuda/cuda_backend.hpp"
#endif
#if defined(TUNA_HAVE_OPENCL)
#include "backends/opencl/opencl_backend.hpp"
#endif
#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

struct BackendEntry {
  std::string_view name;
  std::unique_ptr<Backend> (*make)();
};

// Add a backend here behind its CMake condition.
constexpr BackendEntry kCompiledBackends[] = {
    {"host", &host::make_host_backend},
    {"sim", &sim::make_sim_backend},
#if defined(TUNA_HAVE_CUDA)
    {"cuda", &cuda::make_cuda_backend},
#endif
#if defined(TUNA_HAVE_OPENCL)
    {"opencl", &opencl::make_opencl_backend},
#endif
};

// Every backend tuna knows of, with what a build needs to include it.
struct KnownBackend {
  std::string_view name;
  std::string_view requirement;
};

constexpr KnownBackend kKnownBackends[] = {
    {"host", "a C++ compiler"},
    {"cuda", "the CUDA toolkit (NVRTC and the driver API headers) at build time"},
    {"opencl", "the OpenCL headers and ICD loader at build time"},
    {"sim", "nothing (always built)"},
};

std::string available_list() {
  std::vector<std::string_view> names;
  for (const auto& entry : kCompiledBackends) names.push_back(entry.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& entry : kCompiledBackends) names.emplace_back(entry.name);
  return names;
}

std::unique_ptr<Backend> make_backend(std::string_view name) {
  for (const auto& entry : kCompiledBackends)
    if (entry.name == name) return entry.make();
  for (const auto& known : kKnownBackends)
    if (known.name == name)
      throw UserError(fmt::format(
          "backend '{}' is not compiled into this tuna: building it needs {}. Install that and "
          "rebuild, or use one of the available backends: {}.",
          name, known.requirement, available_list()));
  throw UserError(
      fmt::format("unknown backend '{}'. Available backends: {}.", name, available_list()));
}

}  // namespace tuna
