#pragma once
// The compile pool: compiles configs in parallel, each in a child process (`tuna __compile`)
// with a timeout, so a compiler that hangs or crashes costs one config, never the run.
#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/device.hpp"

namespace tuna::eval {

struct CompileJob {
  std::string config_key;
};

struct CompilePoolOptions {
  std::filesystem::path exe;        // the tuna binary
  std::string backend;
  std::string spec_toml;            // the spec, as spec_to_toml wrote it
  std::string spec_origin;          // its file, for messages
  DeviceInfo device;
  std::filesystem::path cache_dir;  // artifacts
  int jobs = 1;                     // child processes at once
  int nice = 0;                     // niceness each child adds to its own (0-19)
  double timeout_s = 120;
  std::vector<std::pair<std::string, std::string>> env;  // laid over the environment
};

// Compiles every job; outcomes in the same order. A child that times out gives
// {ok=false, error_class="timeout"}; one that crashes gives error_class "compiler_crashed".
std::vector<CompileOutcome> compile_all(const std::vector<CompileJob>& jobs,
                                        const CompilePoolOptions& options);

// Same, handing each outcome to `on_done(index, outcome)` as soon as it is ready, in completion
// order. Calls to on_done are serialised (never two at once) but come from the pool's threads.
// An exception from a job (a user error in the spec, a bug) stops the pool taking new jobs and is
// rethrown once the jobs in flight have ended.
using CompileDone = std::function<void(std::size_t, CompileOutcome)>;
void compile_each(const std::vector<CompileJob>& jobs, const CompilePoolOptions& options,
                  const CompileDone& on_done);

// The streaming form: options.jobs threads each take the next job from `next` (an index of the
// caller's choosing and the job) until it returns nullopt, so the caller decides how much to
// hand out and when (several devices, several hosts). `next` is called from several threads at
// once and may block. Errors are rethrown as in compile_each, after every thread ends.
using NextCompileJob = std::function<std::optional<std::pair<std::size_t, CompileJob>>()>;
void compile_stream(const NextCompileJob& next, const CompilePoolOptions& options,
                    const CompileDone& on_done);

// Entry point of `tuna __compile RESULT_FILE` (the request is JSON on stdin); exit code.
int compile_child_main(const std::filesystem::path& result_file);

}  // namespace tuna::eval
