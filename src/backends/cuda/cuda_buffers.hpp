#pragma once
// The kernel's arguments in device memory (staged_arguments.hpp: allocated once per run,
// initialised on the host, a pristine device copy of every input and inout restored before each
// checked run).
#include <string>

#include "backends/common/argument_data.hpp"
#include "backends/common/staged_arguments.hpp"
#include "backends/cuda/driver_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::cuda {

// Device memory through the driver API. Copies go through the legacy default stream; wait()
// synchronises the context, which orders them before the next launch whatever stream it uses.
struct CudaMemory {
  using Buffer = DeviceMemory;
  const DriverApi* driver = nullptr;

  Buffer allocate(std::size_t bytes, const std::string& /*what*/) { return Buffer(*driver, bytes); }
  // cuMemcpyHtoD returns once the host bytes are copied, so it always "waits".
  void write(Buffer& to, const unsigned char* from, std::size_t bytes, bool /*wait*/,
             const std::string& what) {
    check(*driver, driver->memcpy_htod(to.get(), from, bytes), what);
  }
  void copy(Buffer& to, const Buffer& from, std::size_t bytes, const std::string& what) {
    check(*driver, driver->memcpy_dtod(to.get(), from.get(), bytes), what);
  }
  void read(unsigned char* to, const Buffer& from, std::size_t bytes, const std::string& what) {
    check(*driver, driver->memcpy_dtoh(to, from.get(), bytes), what);
  }
  void wait(const std::string& what) { check_wait(*driver, driver->ctx_synchronize(), what); }
  // In place, on the legacy default stream (ordered with the copies, waited for by wait()): a
  // host pattern copied before every checked run took ~9 ms per 64 MiB output.
  void poison(Buffer& to, Dtype dtype, std::int64_t count) {
    const backends::PoisonWord word = backends::poison_word(dtype);
    const std::size_t words = static_cast<std::size_t>(count) * dtype_size(dtype) / word.bytes;
    CUresult r = CUDA_SUCCESS;
    if (word.bytes == 4)
      r = driver->memset_d32_async(to.get(), word.value, words, nullptr);
    else if (word.bytes == 2)
      r = driver->memset_d16_async(to.get(), static_cast<unsigned short>(word.value), words,
                                   nullptr);
    else
      r = driver->memset_d8_async(to.get(), static_cast<unsigned char>(word.value), words, nullptr);
    check(*driver, r, "poisoning an output");
  }
};

using CudaArguments = backends::StagedArguments<CudaMemory>;

}  // namespace tuna::cuda
