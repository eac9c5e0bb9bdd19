#include "core/constant_role.hpp"

#include <fmt/format.h>

namespace tuna {
namespace {

// The OpenCL C name of an element type, for advice.
const char* opencl_type_name(Dtype d) {
  switch (d) {
    case Dtype::F16:
      return "half";
    case Dtype::F32:
      return "float";
    case Dtype::F64:
      return "double";
    case Dtype::I8:
      return "char";
    case Dtype::I16:
      return "short";
    case Dtype::I32:
      return "int";
    case Dtype::I64:
      return "long";
    case Dtype::U8:
      return "uchar";
    case Dtype::U16:
      return "ushort";
    case Dtype::U32:
      return "uint";
    case Dtype::U64:
      return "ulong";
  }
  return "float";
}

}  // namespace

bool honours_constants(std::string_view backend) {
  return backend == "cuda" || backend == "host" || backend == "sim";
}

std::string constant_role_fix(std::string_view backend, const Argument& a) {
  if (backend == "opencl")
    return fmt::format(
        "In OpenCL a __constant buffer is an ordinary kernel argument: remove role = "
        "\"constant\" (and symbol) and pass '{}' in call order, declared `__constant {}* {}` "
        "in the kernel's parameter list",
        a.name, opencl_type_name(a.dtype), a.name);
  if (backend == "triton")
    return fmt::format(
        "Triton kernels have no constant-memory globals: remove role = \"constant\" (and "
        "symbol) and pass '{}' as an ordinary argument, a pointer the kernel loads from",
        a.name);
  return "Use the cuda or host backend, or pass the data as an ordinary argument";
}

}  // namespace tuna
