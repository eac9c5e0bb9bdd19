#pragma once
// Files of the artifact cache, shared by the backends that compile: reading the kernel's source
// with a user-facing error, and writing cache entries so that no reader ever sees half a file.
#include <filesystem>
#include <string>
#include <string_view>

namespace tuna::backends {

// The kernel's source text. Throws UserError naming kernel.source when it cannot be read.
std::string read_kernel_source(const std::filesystem::path& path);

// A file name beside `target` that no other process or thread writing the same target uses.
std::filesystem::path temporary_sibling(const std::filesystem::path& target);

// Removes the file on destruction unless it was renamed into place: a killed or failed compile
// leaves no partial file behind.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile();
  const std::filesystem::path& path() const { return path_; }
  // Atomically replaces `target` with this file. Throws UserError when the rename fails.
  void commit_as(const std::filesystem::path& target);

 private:
  std::filesystem::path path_;
};

// Writes `bytes` under a private name and renames it into place. Throws UserError saying what to
// check (space, permissions, the cache folder) when it cannot.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes);

// Creates the artifact cache folder (and its parents). Throws UserError asking for a writable
// folder when it cannot.
void create_cache_folder(const std::filesystem::path& cache_dir);

// A cache entry that can be used: a non-empty regular file (a killed writer leaves none).
bool cached_file_usable(const std::filesystem::path& path);

}  // namespace tuna::backends
