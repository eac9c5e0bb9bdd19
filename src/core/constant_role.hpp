#pragma once
// Which backends take constant arguments (role = "constant": data copied into a global of the
// compiled code), and what to do instead on the others. One text for the spec check, which
// refuses such a spec at load, and for the backends that refuse a spec built without that check.
#include <string>
#include <string_view>

#include "tuna/spec.hpp"

namespace tuna {

// CUDA (a __constant__ or __device__ symbol of the module) and host (a global of the shared
// object) copy the data in; sim replays recorded times and runs nothing.
bool honours_constants(std::string_view backend);

// What a user of `backend`, which does not honour constants, does with constant argument `a`.
std::string constant_role_fix(std::string_view backend, const Argument& a);

}  // namespace tuna
