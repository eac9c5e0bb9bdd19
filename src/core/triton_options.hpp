#pragma once
// The parameters of a triton-backend spec that are Triton's compile options rather than the
// kernel's tl.constexpr arguments. Read by the backend (what goes to triton.compile's options)
// and by the LLM's prompt (what it tells the model the parameters are).
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

}  // namespace tuna
