#pragma once
// The semantic checks of a kernel spec, shared by parse_spec (with the lines of the file),
// validate_spec (a spec built through the API) and make_space (on a device).
#include <cstddef>
#include <vector>

// check_space_usable, one of the checks, lives in its own file; spec.cpp reaches it through here.
#include "core/space_check.hpp"
#include "core/spec_diag.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// Every check of docs/spec.md that does not need a device, the files last: the source, then the
// arguments' data files (so that tools and the fuzzer reach the others). Throws UserError located
// through `loc`.
void check_spec(const KernelSpec& spec, const SpecLocations& loc);

// Fails when an expression reads a `device.` fact that `device_env` does not have.
void check_device_names(const KernelSpec& spec, const Env& device_env, const SpecLocations& loc);

}  // namespace tuna::spec_internal
