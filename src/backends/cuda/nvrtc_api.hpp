#pragma once
// NVRTC, the CUDA runtime compiler, loaded at run time. It needs no GPU, so CUDA kernels compile
// (and are tested) on machines without one.
#include <nvrtc.h>

#include <filesystem>
#include <string>

#include "backends/common/dynamic_library.hpp"

namespace tuna::cuda {

class NvrtcApi : public backends::LoadedLibrary {
 public:
  // Searches, in order: $TUNA_NVRTC_LIBRARY; libnvrtc.so.13, .so.12 and libnvrtc.so on the
  // loader's path; the same names in the toolkit's library folder known at build time; then
  // /usr/local/cuda/lib64 and /usr/local/cuda/targets/x86_64-linux/lib. Throws UserError listing
  // what was tried and how to point tuna at NVRTC.
  NvrtcApi();

  // "13.0": part of every cache key and device id.
  const std::string& version() const { return version_; }
  // The toolkit's include folder (for <cuda_fp16.h>, <mma.h>), or empty when none was found:
  // next to the loaded libnvrtc first, then the build-time toolkit, then $CUDA_HOME,
  // $CUDA_PATH and /usr/local/cuda.
  const std::filesystem::path& include_dir() const { return include_dir_; }

  std::string error_string(nvrtcResult result) const;

  TUNA_LIBRARY_FUNCTION(get_version, nvrtcVersion);
  TUNA_LIBRARY_FUNCTION(get_error_string, nvrtcGetErrorString);
  TUNA_LIBRARY_FUNCTION(create_program, nvrtcCreateProgram);
  TUNA_LIBRARY_FUNCTION(destroy_program, nvrtcDestroyProgram);
  TUNA_LIBRARY_FUNCTION(compile_program, nvrtcCompileProgram);
  TUNA_LIBRARY_FUNCTION(get_program_log_size, nvrtcGetProgramLogSize);
  TUNA_LIBRARY_FUNCTION(get_program_log, nvrtcGetProgramLog);
  TUNA_LIBRARY_FUNCTION(get_cubin_size, nvrtcGetCUBINSize);
  TUNA_LIBRARY_FUNCTION(get_cubin, nvrtcGetCUBIN);
  TUNA_LIBRARY_FUNCTION(add_name_expression, nvrtcAddNameExpression);
  TUNA_LIBRARY_FUNCTION(get_lowered_name, nvrtcGetLoweredName);

 private:
  std::string version_;
  std::filesystem::path include_dir_;
};

}  // namespace tuna::cuda
