#pragma once
// The parameters of a triton-backend spec that are Triton's compile options rather than the
// kernel's tl.constexpr arguments. Read by the backend (what goes to triton.compile's options)
// and by the LLM's prompt (what it tells the model the parameters are). And the launch keys
// Triton decides itself, refused by the spec parser and left out by the spec writer.
#include <algorithm>
#include <array>
#include <string_view>

namespace tuna {

inline constexpr std::array<std::string_view, 4> kTritonLaunchOptions = {
    "num_warps", "num_stages", "num_ctas", "maxnreg"};

inline bool is_triton_launch_option(std::string_view name) {
  return std::find(kTritonLaunchOptions.begin(), kTritonLaunchOptions.end(), name) !=
         kTritonLaunchOptions.end();
}

// Triton decides the block (num_warps warps) and the shared memory; [launch] gives only the grid,
// counted in programs.
inline constexpr std::array<const char*, 3> kTritonDecidedLaunchKeys = {"block", "shared_memory",
                                                                        "convention"};

inline bool launch_is_grid_only(std::string_view backend) { return backend == "triton"; }

}  // namespace tuna
