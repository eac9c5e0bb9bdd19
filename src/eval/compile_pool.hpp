#pragma once
// The compile pool: compiles configs in parallel, each in a child process (`tuna __compile`)
// with a timeout, so a compiler that hangs or crashes costs one config, never the run.
#include <filesystem>
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
  double timeout_s = 120;
};

// Compiles every job; outcomes in the same order. A child that times out gives
// {ok=false, error_class="timeout"}; one that crashes gives error_class "compiler_crashed".
std::vector<CompileOutcome> compile_all(const std::vector<CompileJob>& jobs,
                                        const CompilePoolOptions& options);

// Entry point of `tuna __compile RESULT_FILE` (the request is JSON on stdin); exit code.
int compile_child_main(const std::filesystem::path& result_file);

}  // namespace tuna::eval
