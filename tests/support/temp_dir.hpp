#pragma once
// A fresh folder under the system's temporary folder for one test, removed with everything in it
// when the test ends. Unique per process and per instance, so tests may run in parallel.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace tuna::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tuna_test") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tuna::testing
