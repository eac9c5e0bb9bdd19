#pragma once
// An NVRTC program, destroyed on every path out: what the CUDA compiler and the device-side
// check's kernels (check_kernels.hpp) are compiled through.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "backends/cuda/nvrtc_api.hpp"
#include "backends/cuda/nvrtc_std_headers.hpp"
#include "tuna/errors.hpp"

namespace tuna::cuda {

class Program {
 public:
  // `headers`: included by name in place of files (nvrtc_std_headers for a user's kernel).
  Program(const NvrtcApi& api, const std::string& source, const std::string& name,
          const std::vector<InMemoryHeader>& headers = {})
      : api_(api) {
    std::vector<const char*> texts, names;
    for (const InMemoryHeader& h : headers) {
      texts.push_back(h.text);
      names.push_back(h.name);
    }
    nvrtcResult r = api_.create_program(&program_, source.c_str(), name.c_str(),
                                        static_cast<int>(headers.size()), texts.data(),
                                        names.data());
    if (r != NVRTC_SUCCESS)
      throw UserError(fmt::format("cuda backend: NVRTC cannot create a program for {}: {}", name,
                                  api_.error_string(r)));
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program() { api_.destroy_program(&program_); }
  nvrtcProgram get() const { return program_; }

  std::string log() const {
    std::size_t size = 0;
    if (api_.get_program_log_size(program_, &size) != NVRTC_SUCCESS || size == 0) return {};
    std::string text(size, '\0');
    if (api_.get_program_log(program_, text.data()) != NVRTC_SUCCESS) return {};
    while (!text.empty() && text.back() == '\0') text.pop_back();
    return text;
  }

  std::string cubin() const {
    std::size_t size = 0;
    nvrtcResult r = api_.get_cubin_size(program_, &size);
    if (r != NVRTC_SUCCESS || size == 0)
      throw InternalError(fmt::format("NVRTC gave no CUBIN: {}", api_.error_string(r)));
    std::string bytes(size, '\0');
    r = api_.get_cubin(program_, bytes.data());
    if (r != NVRTC_SUCCESS)
      throw InternalError(fmt::format("NVRTC cannot copy the CUBIN: {}", api_.error_string(r)));
    return bytes;
  }

  // The mangled name of a name expression added before compiling.
  std::string lowered(const std::string& expression) const {
    const char* name = nullptr;
    nvrtcResult r = api_.get_lowered_name(program_, expression.c_str(), &name);
    if (r != NVRTC_SUCCESS || name == nullptr)
      throw InternalError(
          fmt::format("NVRTC has no lowered name for '{}': {}", expression, api_.error_string(r)));
    return name;
  }

 private:
  const NvrtcApi& api_;
  nvrtcProgram program_ = nullptr;
};


}  // namespace tuna::cuda
