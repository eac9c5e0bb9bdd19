#pragma once
// The kernel's arguments as OpenCL buffers (staged_arguments.hpp: created once per run, filled
// on the host, a pristine device copy of every input and inout restored before each checked
// run), and their binding to a kernel.
#include <string>

#include "backends/common/argument_data.hpp"
#include "backends/common/staged_arguments.hpp"
#include "backends/opencl/cl_handles.hpp"
#include "tuna/backend.hpp"

namespace tuna::opencl {

// Buffers of one context, written and copied through one in-order queue.
struct OpenClMemory {
  using Buffer = MemObject;
  const OpenClApi* api = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;

  Buffer allocate(std::size_t bytes, const std::string& what) {
    cl_int status = CL_SUCCESS;
    cl_mem mem = api->create_buffer(context, CL_MEM_READ_WRITE, bytes, nullptr, &status);
    check(status, "creating " + what + " (" + std::to_string(bytes) + " bytes)");
    return Buffer(mem, api->release_mem_object);
  }
  void write(Buffer& to, const unsigned char* from, std::size_t bytes, bool wait,
             const std::string& what) {
    const cl_bool blocking = wait ? CL_TRUE : CL_FALSE;
    check(api->enqueue_write_buffer(queue, to.get(), blocking, 0, bytes, from, 0, nullptr, nullptr),
          what);
  }
  void copy(Buffer& to, const Buffer& from, std::size_t bytes, const std::string& what) {
    check(api->enqueue_copy_buffer(queue, from.get(), to.get(), 0, 0, bytes, 0, nullptr, nullptr),
          what);
  }
  // A read waits for the kernel that wrote the buffer: its errors are fatal (check_wait).
  void read(unsigned char* to, const Buffer& from, std::size_t bytes, const std::string& what) {
    check_wait(
        api->enqueue_read_buffer(queue, from.get(), CL_TRUE, 0, bytes, to, 0, nullptr, nullptr),
        what);
  }
  void wait(const std::string& what) { check_wait(api->finish(queue), what); }
  // In place (clEnqueueFillBuffer), instead of writing a host pattern of the output's size
  // before every checked run.
  void poison(Buffer& to, Dtype dtype, std::int64_t count) {
    const backends::PoisonWord word = backends::poison_word(dtype);
    const std::size_t bytes = static_cast<std::size_t>(count) * dtype_size(dtype);
    check(api->enqueue_fill_buffer(queue, to.get(), &word.value, word.bytes, 0, bytes, 0, nullptr,
                                   nullptr),
          "poisoning an output");
  }
};

using OpenClArguments = backends::StagedArguments<OpenClMemory>;

// Rejects what the OpenCL backend cannot pass (f16 buffers and scalars, constant arguments),
// with what to do.
void accept_opencl_argument(const Argument& arg);

// Sets every argument of `kernel`: buffers by handle, scalars evaluated in `env` with their
// dtype's size.
void bind_arguments(const OpenClApi& api, OpenClArguments& arguments, cl_kernel kernel,
                    const Env& env);

}  // namespace tuna::opencl
