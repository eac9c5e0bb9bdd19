#pragma once
// The semantic checks of a kernel spec, shared by parse_spec (with the lines of the file),
// validate_spec (a spec built through the API) and make_space (on a device).
#include <cstddef>
#include <vector>

#include "core/spec_diag.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// Every check of docs/spec.md that does not need a device, the source file's existence last
// (so that tools and the fuzzer reach the others). Throws UserError located through `loc`.
void check_spec(const KernelSpec& spec, const SpecLocations& loc);

// Fails when the default config violates a constraint of `space` or when no config satisfies
// them all. `spec_index[i]` is the index in spec.constraints of space.constraints()[i].
// `env` holds the constants and device facts the constraints read.
void check_space_usable(const KernelSpec& spec, const Space& space,
                        const std::vector<std::size_t>& spec_index, const Env& env,
                        const SpecLocations& loc);

// Fails when an expression reads a `device.` fact that `device_env` does not have.
void check_device_names(const KernelSpec& spec, const Env& device_env, const SpecLocations& loc);

}  // namespace tuna::spec_internal
