#pragma once
// Compiling one config of a host kernel with the system's C++ compiler into a shared object,
// with an on-disk cache keyed by a content hash. See docs/backends/host.md for the command line and
// the cache key.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/backend.hpp"

namespace tuna::host {

// $TUNA_CXX, else $CXX, else `c++`, split on spaces so that "ccache g++" works.
std::vector<std::string> compiler_command_from_environment();

// The first line of `<cxx> --version`, e.g. "g++ (Debian 12.2.0-14) 12.2.0". Throws UserError
// saying how to choose another compiler when this one cannot be run.
std::string query_compiler_identity(const std::vector<std::string>& cxx);

// The options between the compiler and the input file: language, optimisation and code
// generation (-std=c++20 -O3 -fPIC -shared -fvisibility=hidden), the spec's flags (after ours,
// so they win), then one define per parameter from the spec's define_format.
std::vector<std::string> compile_options(const KernelSpec& spec, const Space& space,
                                         const Config& config);

// The compiler's first error line with directories stripped from its path
// ("matmul.cpp:12:5: error: ..."), for a one-line message; the whole log is kept elsewhere.
std::string first_error_line(std::string_view log);

struct CompileRequest {
  std::vector<std::string> cxx;   // the compiler command
  std::string compiler_identity;  // part of the cache key
  std::string device_id;          // part of the cache key (-march=native differs per CPU)
  std::filesystem::path cache_dir;
  double timeout_s = 600;
};

// Compiles (or finds in the cache) the shared object for `config`. A failing compile is data
// (ok = false, error_class "compile_error" or "timeout"); throws UserError only for problems of
// the spec or the machine that no config can escape (unreadable source, no compiler, a cache
// folder that cannot be written).
CompileOutcome compile_shared_object(const KernelSpec& spec, const Space& space,
                                     const Config& config, const CompileRequest& request);

}  // namespace tuna::host
