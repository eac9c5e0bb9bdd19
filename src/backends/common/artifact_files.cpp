#include "backends/common/artifact_files.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>
#include <thread>

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

void create_cache_folder(const fs::path& cache_dir) {
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  if (ec)
    throw UserError(
        fmt::format("cannot create the artifact cache folder {}: {}. Choose a writable folder.",
                    cache_dir.string(), ec.message()));
}

bool cached_file_usable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

}  // namespace tuna::backends
