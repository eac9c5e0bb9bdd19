#pragma once
// The OpenCL ICD loader (libOpenCL.so.1), loaded at run time: tuna links no OpenCL library, so
// one binary starts where OpenCL is missing and says so. Only OpenCL 1.2 entry points are
// used, which every platform tuna meets (PoCL, NVIDIA, AMD, Intel) provides.
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include <stdexcept>
#include <string>

#include "backends/host/shared_library.hpp"

namespace tuna::opencl {

// "CL_INVALID_WORK_GROUP_SIZE" for -54; "CL_ERROR_<n>" for codes OpenCL 1.2 does not define.
std::string error_name(cl_int code);

class OpenClApi {
 public:
  // Prepares the vendor registration (icd_vendors.hpp), opens libOpenCL.so.1 and binds every
  // function. Throws UserError saying what is missing and how to install it.
  OpenClApi();
  OpenClApi(const OpenClApi&) = delete;
  OpenClApi& operator=(const OpenClApi&) = delete;

  const std::string& library_path() const { return library_path_; }
  // What the vendor registration did ("" when nothing was needed), for `tuna devices`.
  const std::string& registration_note() const { return registration_note_; }

  decltype(&::clGetPlatformIDs) get_platform_ids = nullptr;
  decltype(&::clGetPlatformInfo) get_platform_info = nullptr;
  decltype(&::clGetDeviceIDs) get_device_ids = nullptr;
  decltype(&::clGetDeviceInfo) get_device_info = nullptr;
  decltype(&::clCreateContext) create_context = nullptr;
  decltype(&::clReleaseContext) release_context = nullptr;
  decltype(&::clCreateCommandQueue) create_command_queue = nullptr;
  decltype(&::clReleaseCommandQueue) release_command_queue = nullptr;
  decltype(&::clCreateBuffer) create_buffer = nullptr;
  decltype(&::clReleaseMemObject) release_mem_object = nullptr;
  decltype(&::clCreateProgramWithSource) create_program_with_source = nullptr;
  decltype(&::clCreateProgramWithBinary) create_program_with_binary = nullptr;
  decltype(&::clBuildProgram) build_program = nullptr;
  decltype(&::clGetProgramInfo) get_program_info = nullptr;
  decltype(&::clGetProgramBuildInfo) get_program_build_info = nullptr;
  decltype(&::clReleaseProgram) release_program = nullptr;
  decltype(&::clCreateKernel) create_kernel = nullptr;
  decltype(&::clGetKernelInfo) get_kernel_info = nullptr;
  decltype(&::clGetKernelWorkGroupInfo) get_kernel_work_group_info = nullptr;
  decltype(&::clSetKernelArg) set_kernel_arg = nullptr;
  decltype(&::clReleaseKernel) release_kernel = nullptr;
  decltype(&::clEnqueueNDRangeKernel) enqueue_nd_range_kernel = nullptr;
  decltype(&::clEnqueueWriteBuffer) enqueue_write_buffer = nullptr;
  decltype(&::clEnqueueReadBuffer) enqueue_read_buffer = nullptr;
  decltype(&::clEnqueueCopyBuffer) enqueue_copy_buffer = nullptr;
  decltype(&::clEnqueueFillBuffer) enqueue_fill_buffer = nullptr;
  decltype(&::clFinish) finish = nullptr;
  decltype(&::clWaitForEvents) wait_for_events = nullptr;
  decltype(&::clGetEventInfo) get_event_info = nullptr;
  decltype(&::clGetEventProfilingInfo) get_event_profiling_info = nullptr;
  decltype(&::clReleaseEvent) release_event = nullptr;

 private:
  host::SharedLibrary library_;
  std::string library_path_;
  std::string registration_note_;
};

// A failed OpenCL call: the code's name, what tuna was doing, and whether the context may be
// unusable afterwards (the worker must then be replaced).
class ClFailure : public std::runtime_error {
 public:
  ClFailure(cl_int code, const std::string& doing, bool fatal)
      : std::runtime_error(doing + ": " + error_name(code)), code_(code), fatal_(fatal) {}
  cl_int code() const { return code_; }
  std::string name() const { return error_name(code_); }
  bool fatal() const { return fatal_; }

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
