#include "backends/opencl/opencl_api.hpp"

#include <fmt/format.h>

#include <vector>

#include "backends/opencl/icd_vendors.hpp"
#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"

namespace tuna::opencl {
namespace {

template <class Function>
void bind(const host::SharedLibrary& library, const char* name, Function& slot,
          std::vector<std::string>& missing) {
  std::string why;
  void* address = library.symbol(name, why);
  if (address == nullptr) missing.emplace_back(name);
  slot = reinterpret_cast<Function>(address);
}

struct NamedCode {
  cl_int code;
  const char* name;
};

// The error codes of OpenCL 1.2 (cl.h), by value.
constexpr NamedCode kErrorNames[] = {
    {CL_SUCCESS, "CL_SUCCESS"},
    {CL_DEVICE_NOT_FOUND, "CL_DEVICE_NOT_FOUND"},
    {CL_DEVICE_NOT_AVAILABLE, "CL_DEVICE_NOT_AVAILABLE"},
    {CL_COMPILER_NOT_AVAILABLE, "CL_COMPILER_NOT_AVAILABLE"},
    {CL_MEM_OBJECT_ALLOCATION_FAILURE, "CL_MEM_OBJECT_ALLOCATION_FAILURE"},
    {CL_OUT_OF_RESOURCES, "CL_OUT_OF_RESOURCES"},
    {CL_OUT_OF_HOST_MEMORY, "CL_OUT_OF_HOST_MEMORY"},
    {CL_PROFILING_INFO_NOT_AVAILABLE, "CL_PROFILING_INFO_NOT_AVAILABLE"},
    {CL_MEM_COPY_OVERLAP, "CL_MEM_COPY_OVERLAP"},
    {CL_IMAGE_FORMAT_MISMATCH, "CL_IMAGE_FORMAT_MISMATCH"},
    {CL_IMAGE_FORMAT_NOT_SUPPORTED, "CL_IMAGE_FORMAT_NOT_SUPPORTED"},
    {CL_BUILD_PROGRAM_FAILURE, "CL_BUILD_PROGRAM_FAILURE"},
    {CL_MAP_FAILURE, "CL_MAP_FAILURE"},
    {CL_MISALIGNED_SUB_BUFFER_OFFSET, "CL_MISALIGNED_SUB_BUFFER_OFFSET"},
    {CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"},
    {CL_COMPILE_PROGRAM_FAILURE, "CL_COMPILE_PROGRAM_FAILURE"},
    {CL_LINKER_NOT_AVAILABLE, "CL_LINKER_NOT_AVAILABLE"},
    {CL_LINK_PROGRAM_FAILURE, "CL_LINK_PROGRAM_FAILURE"},
    {CL_DEVICE_PARTITION_FAILED, "CL_DEVICE_PARTITION_FAILED"},
    {CL_KERNEL_ARG_INFO_NOT_AVAILABLE, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"},
    {CL_INVALID_VALUE, "CL_INVALID_VALUE"},
    {CL_INVALID_DEVICE_TYPE, "CL_INVALID_DEVICE_TYPE"},
    {CL_INVALID_PLATFORM, "CL_INVALID_PLATFORM"},
    {CL_INVALID_DEVICE, "CL_INVALID_DEVICE"},
    {CL_INVALID_CONTEXT, "CL_INVALID_CONTEXT"},
    {CL_INVALID_QUEUE_PROPERTIES, "CL_INVALID_QUEUE_PROPERTIES"},
    {CL_INVALID_COMMAND_QUEUE, "CL_INVALID_COMMAND_QUEUE"},
    {CL_INVALID_HOST_PTR, "CL_INVALID_HOST_PTR"},
    {CL_INVALID_MEM_OBJECT, "CL_INVALID_MEM_OBJECT"},
    {CL_INVALID_IMAGE_FORMAT_DESCRIPTOR, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"},
    {CL_INVALID_IMAGE_SIZE, "CL_INVALID_IMAGE_SIZE"},
    {CL_INVALID_SAMPLER, "CL_INVALID_SAMPLER"},
    {CL_INVALID_BINARY, "CL_INVALID_BINARY"},
    {CL_INVALID_BUILD_OPTIONS, "CL_INVALID_BUILD_OPTIONS"},
    {CL_INVALID_PROGRAM, "CL_INVALID_PROGRAM"},
    {CL_INVALID_PROGRAM_EXECUTABLE, "CL_INVALID_PROGRAM_EXECUTABLE"},
    {CL_INVALID_KERNEL_NAME, "CL_INVALID_KERNEL_NAME"},
    {CL_INVALID_KERNEL_DEFINITION, "CL_INVALID_KERNEL_DEFINITION"},
    {CL_INVALID_KERNEL, "CL_INVALID_KERNEL"},
    {CL_INVALID_ARG_INDEX, "CL_INVALID_ARG_INDEX"},
    {CL_INVALID_ARG_VALUE, "CL_INVALID_ARG_VALUE"},
    {CL_INVALID_ARG_SIZE, "CL_INVALID_ARG_SIZE"},
    {CL_INVALID_KERNEL_ARGS, "CL_INVALID_KERNEL_ARGS"},
    {CL_INVALID_WORK_DIMENSION, "CL_INVALID_WORK_DIMENSION"},
    {CL_INVALID_WORK_GROUP_SIZE, "CL_INVALID_WORK_GROUP_SIZE"},
    {CL_INVALID_WORK_ITEM_SIZE, "CL_INVALID_WORK_ITEM_SIZE"},
    {CL_INVALID_GLOBAL_OFFSET, "CL_INVALID_GLOBAL_OFFSET"},
    {CL_INVALID_EVENT_WAIT_LIST, "CL_INVALID_EVENT_WAIT_LIST"},
    {CL_INVALID_EVENT, "CL_INVALID_EVENT"},
    {CL_INVALID_OPERATION, "CL_INVALID_OPERATION"},
    {CL_INVALID_GL_OBJECT, "CL_INVALID_GL_OBJECT"},
    {CL_INVALID_BUFFER_SIZE, "CL_INVALID_BUFFER_SIZE"},
    {CL_INVALID_MIP_LEVEL, "CL_INVALID_MIP_LEVEL"},
    {CL_INVALID_GLOBAL_WORK_SIZE, "CL_INVALID_GLOBAL_WORK_SIZE"},
    {CL_INVALID_PROPERTY, "CL_INVALID_PROPERTY"},
    {CL_INVALID_IMAGE_DESCRIPTOR, "CL_INVALID_IMAGE_DESCRIPTOR"},
    {CL_INVALID_COMPILER_OPTIONS, "CL_INVALID_COMPILER_OPTIONS"},
    {CL_INVALID_LINKER_OPTIONS, "CL_INVALID_LINKER_OPTIONS"},
    {CL_INVALID_DEVICE_PARTITION_COUNT, "CL_INVALID_DEVICE_PARTITION_COUNT"},
    {-1001, "CL_PLATFORM_NOT_FOUND_KHR"},
};

}  // namespace

std::string error_name(cl_int code) {
  for (const auto& entry : kErrorNames)
    if (entry.code == code) return entry.name;
  return fmt::format("CL_ERROR_{}", code);
}

void check(cl_int code, const std::string& doing) {
  if (code != CL_SUCCESS) throw ClFailure(code, doing, false);
}

void check_wait(cl_int code, const std::string& doing) {
  if (code != CL_SUCCESS) throw ClFailure(code, doing, true);
}

OpenClApi::OpenClApi() : registration_note_(register_vendor_libraries(default_cache_dir())) {
  library_path_ = "libOpenCL.so.1";
  library_ = host::SharedLibrary(std::filesystem::path(library_path_));
  if (!library_.valid())
    throw UserError(fmt::format(
        "opencl backend: the OpenCL ICD loader libOpenCL.so.1 cannot be loaded ({}). Install "
        "it with a driver (Debian: apt-get install ocl-icd-libopencl1 pocl-opencl-icd for the "
        "CPU), or add its folder to LD_LIBRARY_PATH.",
        library_.error()));
  const host::SharedLibrary& lib = library_;
  std::vector<std::string> missing;
  bind(lib, "clGetPlatformIDs", get_platform_ids, missing);
  bind(lib, "clGetPlatformInfo", get_platform_info, missing);
  bind(lib, "clGetDeviceIDs", get_device_ids, missing);
  bind(lib, "clGetDeviceInfo", get_device_info, missing);
  bind(lib, "clCreateContext", create_context, missing);
  bind(lib, "clReleaseContext", release_context, missing);
  bind(lib, "clCreateCommandQueue", create_command_queue, missing);
  bind(lib, "clReleaseCommandQueue", release_command_queue, missing);
  bind(lib, "clCreateBuffer", create_buffer, missing);
  bind(lib, "clReleaseMemObject", release_mem_object, missing);
  bind(lib, "clCreateProgramWithSource", create_program_with_source, missing);
  bind(lib, "clCreateProgramWithBinary", create_program_with_binary, missing);
  bind(lib, "clBuildProgram", build_program, missing);
  bind(lib, "clGetProgramInfo", get_program_info, missing);
  bind(lib, "clGetProgramBuildInfo", get_program_build_info, missing);
  bind(lib, "clReleaseProgram", release_program, missing);
  bind(lib, "clCreateKernel", create_kernel, missing);
  bind(lib, "clGetKernelInfo", get_kernel_info, missing);
  bind(lib, "clGetKernelWorkGroupInfo", get_kernel_work_group_info, missing);
  bind(lib, "clSetKernelArg", set_kernel_arg, missing);
  bind(lib, "clReleaseKernel", release_kernel, missing);
  bind(lib, "clEnqueueNDRangeKernel", enqueue_nd_range_kernel, missing);
  bind(lib, "clEnqueueWriteBuffer", enqueue_write_buffer, missing);
  bind(lib, "clEnqueueReadBuffer", enqueue_read_buffer, missing);
  bind(lib, "clEnqueueCopyBuffer", enqueue_copy_buffer, missing);
  bind(lib, "clEnqueueFillBuffer", enqueue_fill_buffer, missing);
  bind(lib, "clFinish", finish, missing);
  bind(lib, "clWaitForEvents", wait_for_events, missing);
  bind(lib, "clGetEventInfo", get_event_info, missing);
  bind(lib, "clGetEventProfilingInfo", get_event_profiling_info, missing);
  bind(lib, "clReleaseEvent", release_event, missing);
  if (!missing.empty())
    throw UserError(fmt::format(
        "opencl backend: the ICD loader {} lacks {}: it predates OpenCL 1.2. Install a newer "
        "loader (Debian: ocl-icd-libopencl1).",
        library_path_, fmt::join(missing, ", ")));
}

}  // namespace tuna::opencl
