#pragma once
// The OpenCL ICD loader (libOpenCL.so.1), loaded at run time: tuna links no OpenCL library, so
// one binary starts where OpenCL is missing and says so. Only OpenCL 1.2 entry points are
// used, which every platform tuna meets (PoCL, NVIDIA, AMD, Intel) provides.
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include <string>

#include "backends/common/device_failure.hpp"
#include "backends/common/dynamic_library.hpp"

namespace tuna::opencl {

// "CL_INVALID_WORK_GROUP_SIZE" for -54; "CL_ERROR_<n>" for codes OpenCL 1.2 does not define.
std::string error_name(cl_int code);

class OpenClApi : public backends::LoadedLibrary {
 public:
  // Prepares the vendor registration (icd_vendors.hpp), opens libOpenCL.so.1 and binds every
  // function. Throws UserError saying what is missing and how to install it.
  OpenClApi();

  // What the vendor registration did ("" when nothing was needed), for `tuna devices`.
  const std::string& registration_note() const { return registration_note_; }

 private:
  // The registration must precede opening the loader, which the base class does first.
  explicit OpenClApi(std::string registration_note);
  std::string registration_note_;

 public:
  TUNA_LIBRARY_FUNCTION(get_platform_ids, clGetPlatformIDs);
  TUNA_LIBRARY_FUNCTION(get_platform_info, clGetPlatformInfo);
  TUNA_LIBRARY_FUNCTION(get_device_ids, clGetDeviceIDs);
  TUNA_LIBRARY_FUNCTION(get_device_info, clGetDeviceInfo);
  TUNA_LIBRARY_FUNCTION(create_context, clCreateContext);
  TUNA_LIBRARY_FUNCTION(release_context, clReleaseContext);
  TUNA_LIBRARY_FUNCTION(create_command_queue, clCreateCommandQueue);
  TUNA_LIBRARY_FUNCTION(release_command_queue, clReleaseCommandQueue);
  TUNA_LIBRARY_FUNCTION(create_buffer, clCreateBuffer);
  TUNA_LIBRARY_FUNCTION(release_mem_object, clReleaseMemObject);
  TUNA_LIBRARY_FUNCTION(create_program_with_source, clCreateProgramWithSource);
  TUNA_LIBRARY_FUNCTION(create_program_with_binary, clCreateProgramWithBinary);
  TUNA_LIBRARY_FUNCTION(build_program, clBuildProgram);
  TUNA_LIBRARY_FUNCTION(get_program_info, clGetProgramInfo);
  TUNA_LIBRARY_FUNCTION(get_program_build_info, clGetProgramBuildInfo);
  TUNA_LIBRARY_FUNCTION(release_program, clReleaseProgram);
  TUNA_LIBRARY_FUNCTION(create_kernel, clCreateKernel);
  TUNA_LIBRARY_FUNCTION(get_kernel_info, clGetKernelInfo);
  TUNA_LIBRARY_FUNCTION(get_kernel_work_group_info, clGetKernelWorkGroupInfo);
  TUNA_LIBRARY_FUNCTION(set_kernel_arg, clSetKernelArg);
  TUNA_LIBRARY_FUNCTION(release_kernel, clReleaseKernel);
  TUNA_LIBRARY_FUNCTION(enqueue_nd_range_kernel, clEnqueueNDRangeKernel);
  TUNA_LIBRARY_FUNCTION(enqueue_write_buffer, clEnqueueWriteBuffer);
  TUNA_LIBRARY_FUNCTION(enqueue_read_buffer, clEnqueueReadBuffer);
  TUNA_LIBRARY_FUNCTION(enqueue_copy_buffer, clEnqueueCopyBuffer);
  TUNA_LIBRARY_FUNCTION(enqueue_fill_buffer, clEnqueueFillBuffer);
  TUNA_LIBRARY_FUNCTION(finish, clFinish);
  TUNA_LIBRARY_FUNCTION(wait_for_events, clWaitForEvents);
  TUNA_LIBRARY_FUNCTION(get_event_info, clGetEventInfo);
  TUNA_LIBRARY_FUNCTION(get_event_profiling_info, clGetEventProfilingInfo);
  TUNA_LIBRARY_FUNCTION(release_event, clReleaseEvent);
};

// A failed OpenCL call: the code's name, what tuna was doing, and whether the context may be
// unusable afterwards (the worker must then be replaced).
class ClFailure : public backends::DeviceFailure {
 public:
  ClFailure(cl_int code, const std::string& doing, bool fatal)
      : DeviceFailure(error_name(code), doing + ": " + error_name(code)),
        code_(code),
        fatal_(fatal) {}
  cl_int code() const { return code_; }
  bool fatal() const override { return fatal_; }

 private:
  cl_int code_;
  bool fatal_;
};

// Throws a non-fatal ClFailure when `code` is not CL_SUCCESS.
void check(cl_int code, const std::string& doing);
// For waits (clFinish, clWaitForEvents, reading a finished kernel's results): an error there
// comes from a kernel that already ran, and may have damaged the context (NVIDIA reports an
// illegal address this way), so it is fatal.
void check_wait(cl_int code, const std::string& doing);

}  // namespace tuna::opencl
