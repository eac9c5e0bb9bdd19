#pragma once
// Shared by the GPU fault tests (test_cuda_faults, test_triton_backend): what each mode of a
// fault kernel must be recorded as, and whether a backend's device can be used here.
#include <string>

#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/result.hpp"

namespace tuna::testing {

struct ExpectedFailure {
  Status status;
  std::string error_class;
};

// Empty when the backend can open its device here (driver, GPU, for triton a Triton), else why
// not: the reason a GPU test skips.
inline std::string backend_unavailable(const char* backend) {
  try {
    make_backend(backend)->device_info();
    return {};
  } catch (const UserError& e) {
    return e.what();
  }
}

}  // namespace tuna::testing
