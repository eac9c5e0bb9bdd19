// The table of backends compiled into this binary. Every backend of backends.def is known by
// name; those whose SDK was missing at build time are not compiled in (their backend.cmake left
// them out of compiled_backends.inc, which CMake writes), so that asking for one says why it is
// missing instead of "unknown backend".
#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/errors.hpp"

// The factory each compiled backend's folder defines.
#define TUNA_COMPILED_BACKEND(name) \
  namespace tuna::name {            \
  std::unique_ptr<Backend> make_##name##_backend();  \
  }
#include "compiled_backends.inc"
#undef TUNA_COMPILED_BACKEND

namespace tuna {
namespace {

struct BackendEntry {
  std::string_view name;
  std::unique_ptr<Backend> (*make)();
};

constexpr BackendEntry kCompiledBackends[] = {
#define TUNA_COMPILED_BACKEND(name) {#name, &name::make_##name##_backend},
#include "compiled_backends.inc"
#undef TUNA_COMPILED_BACKEND
};

// Every backend tuna knows of, with what a build needs to include it.
struct KnownBackend {
  std::string_view name;
  std::string_view requirement;
};

constexpr KnownBackend kKnownBackends[] = {
#define TUNA_BACKEND(name, requirement) {#name, requirement},
#include "backends.def"
#undef TUNA_BACKEND
};

const BackendEntry* compiled(std::string_view name) {
  for (const auto& entry : kCompiledBackends)
    if (entry.name == name) return &entry;
  return nullptr;
}

std::string available_list() { return fmt::format("{}", fmt::join(backend_names(), ", ")); }

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& known : kKnownBackends)
    if (compiled(known.name)) names.emplace_back(known.name);
  return names;
}

std::unique_ptr<Backend> make_backend(std::string_view name) {
  if (const BackendEntry* entry = compiled(name)) return entry->make();
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
