#pragma once
// The C and C++ standard headers that kernels written for nvcc include and NVRTC lacks.
// NVRTC compiles without a C library: `#include <stdio.h>` (for a debugging printf), <stdint.h>
// or <float.h> is a fatal "cannot open source file", though printf, assert, malloc, memcpy and
// the math functions are built into NVRTC itself. Kernel Tuner's published CUDA examples
// include <stdio.h>, for instance. These small headers, handed to NVRTC in memory, make such
// kernels compile unchanged: the ones for what NVRTC has built in are empty, and the others
// define the fixed-width integer types and the limits of the integer and floating types for
// the GPU's data model (LP64, IEEE-754 float and double).
#include <vector>

namespace tuna::cuda {

// Both NUL-terminated literals, as nvrtcCreateProgram takes them.
struct InMemoryHeader {
  const char* name;  // as written between the angle brackets
  const char* text;
};

const std::vector<InMemoryHeader>& nvrtc_std_headers();

}  // namespace tuna::cuda
