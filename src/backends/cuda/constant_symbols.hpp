#pragma once
// Constant arguments (role = "constant") on CUDA: their bytes are copied into a global of each
// module as it is loaded (a __constant__ or __device__ variable found with cuModuleGetGlobal),
// once per loaded module: a kernel cannot write __constant__ memory, and the bytes are fixed for
// the run, so the checked run and every timed run of the module see the same data.
#include <cuda.h>

#include <string>
#include <vector>

#include "backends/common/staged_arguments.hpp"
#include "backends/cuda/driver_api.hpp"

namespace tuna::cuda {

// Copies each constant's bytes into its global of `module` (`module_name` names it in messages)
// and waits until the copies are done. Throws CudaFailure, not fatal: "constant_symbol" when the
// module has no such global, "constant_size" when the bytes do not fit in it (both sizes named);
// a driver error by its name.
void copy_constants(const DriverApi& driver, CUmodule module, const std::string& module_name,
                    const std::vector<backends::ConstantArgument>& constants);

}  // namespace tuna::cuda
