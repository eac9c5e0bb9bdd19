#include "backends/artifact_files.hpp"

#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "tuna/errors.hpp"

namespace tuna::backends {

namespace fs = std::filesystem;

std::string read_kernel_source(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw UserError(fmt::format(
        "kernel.source: cannot read {}. Check that the file exists and that kernel.source in the "
        "spec names it (relative to the spec file).",
        path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path temporary_sibling(const fs::path& target) {
  return fs::path(target.string() +
                  fmt::format(".tmp-{}-{:x}", ::getpid(),
                              std::hash<std::thread::id>{}(std::this_thread::get_id())));
}

TemporaryFile::~TemporaryFile() {
  std::error_code ignored;
  if (!path_.empty()) fs::remove(path_, ignored);
}

void TemporaryFile::commit_as(const fs::path& target) {
  std::error_code ec;
  fs::rename(path_, target, ec);
  if (ec) {
    throw UserError(fmt::format("cannot rename {} to {}: {}. Check the cache folder.",
                                path_.string(), target.string(), ec.message()));
  }
  path_.clear();
}

void write_file_atomically(const fs::path& target, std::string_view bytes) {
  TemporaryFile temp(temporary_sibling(target));
  {
    std::ofstream out(temp.path(), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      throw UserError(fmt::format(
          "cannot write {} in the artifact cache. Check free space and permissions, or choose "
          "another cache folder.",
          temp.path().string()));
    }
  }
  temp.commit_as(target);
}

bool cached_file_usable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

CompileOutcome compile_error_outcome(std::string message, std::string log) {
  CompileOutcome outcome;
  outcome.ok = false;
  outcome.error_class = "compile_error";
  outcome.message = std::move(message);
  outcome.log = std::move(log);
  return outcome;
}

}  // namespace tuna::backends
