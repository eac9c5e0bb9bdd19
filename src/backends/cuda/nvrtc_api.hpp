#pragma once
// NVRTC, the CUDA runtime compiler, loaded at run time. It needs no GPU, so CUDA kernels compile
// (and are tested) on machines without one.
#include <nvrtc.h>

#include <filesystem>
#include <string>

#include "backends/cuda/dynamic_library.hpp"

namespace tuna::cuda {

class NvrtcApi {
 public:
  // Searches, in order: $TUNA_NVRTC_LIBRARY; libnvrtc.so.13, .so.12 and libnvrtc.so on the
  // loader's path; the same names in the toolkit's library folder known at build time; then
  // /usr/local/cuda/lib64 and /usr/local/cuda/targets/x86_64-linux/lib. Throws UserError listing
  // what was tried and how to point tuna at NVRTC.
  NvrtcApi();
  NvrtcApi(const NvrtcApi&) = delete;
  NvrtcApi& operator=(const NvrtcApi&) = delete;

  const std::string& library_path() const { return opened_.path; }
  // "13.0": part of every cache key and device id.
  const std::string& version() const { return version_; }
  // The toolkit's include folder (for <cuda_fp16.h>, <mma.h>), or empty when none was found:
  // next to the loaded libnvrtc first, then the build-time toolkit, then $CUDA_HOME,
  // $CUDA_PATH and /usr/local/cuda.
  const std::filesystem::path& include_dir() const { return include_dir_; }

  std::string error_string(nvrtcResult result) const;

  decltype(&::nvrtcVersion) get_version = nullptr;
  decltype(&::nvrtcGetErrorString) get_error_string = nullptr;
  decltype(&::nvrtcCreateProgram) create_program = nullptr;
  decltype(&::nvrtcDestroyProgram) destroy_program = nullptr;
  decltype(&::nvrtcCompileProgram) compile_program = nullptr;
  decltype(&::nvrtcGetProgramLogSize) get_program_log_size = nullptr;
  decltype(&::nvrtcGetProgramLog) get_program_log = nullptr;
  decltype(&::nvrtcGetCUBINSize) get_cubin_size = nullptr;
  decltype(&::nvrtcGetCUBIN) get_cubin = nullptr;
  decltype(&::nvrtcAddNameExpression) add_name_expression = nullptr;
  decltype(&::nvrtcGetLoweredName) get_lowered_name = nullptr;

 private:
  OpenedLibrary opened_;
  std::string version_;
  std::filesystem::path include_dir_;
};

}  // namespace tuna::cuda
