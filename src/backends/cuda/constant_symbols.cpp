#include "backends/cuda/constant_symbols.hpp"

#include <fmt/format.h>

#include "backends/cuda/driver_handles.hpp"

namespace tuna::cuda {
namespace {

// The CUDA C++ spelling of an element type, for advice.
const char* cuda_type_name(Dtype d) {
  switch (d) {
    case Dtype::F16:
      return "__half";
    case Dtype::F32:
      return "float";
    case Dtype::F64:
      return "double";
    case Dtype::I8:
      return "signed char";
    case Dtype::I16:
      return "short";
    case Dtype::I32:
      return "int";
    case Dtype::I64:
      return "long long";
    case Dtype::U8:
      return "unsigned char";
    case Dtype::U16:
      return "unsigned short";
    case Dtype::U32:
      return "unsigned int";
    case Dtype::U64:
      return "unsigned long long";
  }
  return "float";
}

}  // namespace

void copy_constants(const DriverApi& driver, CUmodule module, const std::string& module_name,
                    const std::vector<backends::ConstantArgument>& constants) {
  if (constants.empty()) return;
  for (const backends::ConstantArgument& constant : constants) {
    const Argument& arg = *constant.arg;
    const std::string& symbol = constant_symbol(arg);
    CUdeviceptr address = 0;
    std::size_t capacity = 0;
    const CUresult found = driver.module_get_global(&address, &capacity, module, symbol.c_str());
    if (found == CUDA_ERROR_NOT_FOUND)
      throw CudaFailure(
          found, "constant_symbol",
          fmt::format("args.{} (role = \"constant\"): the compiled module {} has no global '{}' "
                      "to copy it into. Declare it in the kernel's source outside any namespace "
                      "(`__constant__ {} {}[{}];`) and read it in the kernel (a global no kernel "
                      "reads may be left out of the compiled code), or set args.{}.symbol to the "
                      "global's name",
                      arg.name, module_name, symbol, cuda_type_name(arg.dtype), symbol,
                      constant.bytes->size() / dtype_size(arg.dtype), arg.name),
          false);
    check(driver, found,
          fmt::format("finding the global '{}' of args.{} in {}", symbol, arg.name, module_name));
    const std::size_t bytes = constant.bytes->size();
    if (bytes > capacity)
      throw CudaFailure(CUDA_ERROR_INVALID_VALUE, "constant_size",
                        backends::constant_too_large(constant, capacity, module_name), false);
    check(driver, driver.memcpy_htod(address, constant.bytes->data(), bytes),
          fmt::format("copying args.{} into the global '{}' of {}", arg.name, symbol, module_name));
  }
  // A copy from pageable memory may return before it lands, and the kernels run on a
  // non-blocking stream, which does not wait for the default stream's copies.
  check_wait(driver, driver.ctx_synchronize(), "waiting for the copies into constant memory");
}

}  // namespace tuna::cuda
