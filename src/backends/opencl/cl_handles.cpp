#include "backends/opencl/cl_handles.hpp"

namespace tuna::opencl {

Context make_context(const OpenClApi& api, cl_device_id device) {
  cl_int status = CL_SUCCESS;
  cl_context context = api.create_context(nullptr, 1, &device, nullptr, nullptr, &status);
  check(status, "creating an OpenCL context");
  return Context(context, api.release_context);
}

Queue make_queue(const OpenClApi& api, cl_context context, cl_device_id device, bool profiling) {
  cl_int status = CL_SUCCESS;
  const cl_command_queue_properties properties = profiling ? CL_QUEUE_PROFILING_ENABLE : 0;
  cl_command_queue queue = api.create_command_queue(context, device, properties, &status);
  check(status, "creating an OpenCL command queue");
  return Queue(queue, api.release_command_queue);
}

std::string build_log(const OpenClApi& api, cl_program program, cl_device_id device) {
  std::size_t size = 0;
  if (api.get_program_build_info(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
          CL_SUCCESS ||
      size == 0)
    return {};
  std::string log(size, '\0');
  if (api.get_program_build_info(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(),
                                 nullptr) != CL_SUCCESS)
    return {};
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

cl_int build(const OpenClApi& api, cl_program program, cl_device_id device,
             const std::string& options) {
  return api.build_program(program, 1, &device, options.c_str(), nullptr, nullptr);
}

}  // namespace tuna::opencl
