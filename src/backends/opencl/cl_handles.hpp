#pragma once
// RAII for OpenCL objects: each handle calls its clRelease* once, on destruction. Objects are
// created with a reference count of one, so one owner per handle is enough.
#include "backends/common/owned_handle.hpp"
#include "backends/opencl/opencl_api.hpp"

namespace tuna::opencl {

template <class T>
using ClHandle = backends::OwnedHandle<T, cl_int>;

using Context = ClHandle<cl_context>;
using Queue = ClHandle<cl_command_queue>;
using MemObject = ClHandle<cl_mem>;
using Program = ClHandle<cl_program>;
using Kernel = ClHandle<cl_kernel>;
using Event = ClHandle<cl_event>;

// A context holding only `device`. Throws ClFailure.
Context make_context(const OpenClApi& api, cl_device_id device);
// An in-order queue; with `profiling`, its events carry start and end times. Throws ClFailure.
Queue make_queue(const OpenClApi& api, cl_context context, cl_device_id device, bool profiling);

// The build log of `program` for `device` ("" when there is none).
std::string build_log(const OpenClApi& api, cl_program program, cl_device_id device);

// Builds `program` for `device` with `options`. Returns the OpenCL result; the log is read by
// the caller.
cl_int build(const OpenClApi& api, cl_program program, cl_device_id device,
             const std::string& options);

}  // namespace tuna::opencl
