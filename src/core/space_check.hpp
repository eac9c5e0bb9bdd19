#pragma once
// Whether a spec's space is usable: its default config satisfies every constraint and some config
// satisfies them all. When none does, the message names the constraint that rejects the most.
// Run when a spec is loaded (for the constraints that read no device fact) and again on a device
// (KernelSpec::make_space).
#include <cstddef>
#include <vector>

#include "core/spec_diag.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// Fails when the default config violates a constraint of `space` or when no config satisfies
// them all. `spec_index[i]` is the index in spec.constraints of space.constraints()[i].
// `env` holds the constants and device facts the constraints read.
void check_space_usable(const KernelSpec& spec, const Space& space,
                        const std::vector<std::size_t>& spec_index, const Env& env,
                        const SpecLocations& loc);

}  // namespace tuna::spec_internal
