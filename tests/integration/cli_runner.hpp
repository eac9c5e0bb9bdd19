#pragma once
// Runs the real tuna binary for integration tests, in a private temporary folder (database,
// cache) so tests never touch the user's results and can run in parallel.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/process.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::testing {

class TunaSandbox {
 public:
  explicit TunaSandbox(const std::string& name) {
    dir_ = std::filesystem::temp_directory_path() /
           ("tuna-it-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TunaSandbox() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path db() const { return dir_ / "tuna.db"; }
  std::filesystem::path cache() const { return dir_ / "cache"; }

  std::vector<std::string> argv(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {TUNA_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }
  std::vector<std::pair<std::string, std::string>> env() const {
    return {{"TUNA_DB", db().string()}, {"TUNA_CACHE_DIR", cache().string()}};
  }

  ProcessResult run(const std::vector<std::string>& args, double timeout_s = 300) const {
    RunProcessOptions options;
    options.timeout_s = timeout_s;
    options.extra_env = env();
    return run_process(argv(args), options);
  }

 private:
  std::filesystem::path dir_;
};

inline std::string source_path(const std::string& relative) {
  return std::string(TUNA_SOURCE_DIR) + "/" + relative;
}

// Every stored result of a spec's kernel in a database, whatever the device.
inline std::vector<Result> stored_results(const std::filesystem::path& db,
                                          const std::string& spec_path) {
  KernelSpec spec = load_spec(spec_path);
  std::vector<Parameter> params;
  for (const ParameterSpec& p : spec.parameters) params.push_back(p.param);
  Space space(params, {});
  Store store(db);
  std::vector<Result> all;
  for (const StoreContext& ctx : store.contexts(spec.name)) {
    for (Result& r : store.results(ctx, space)) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace tuna::testing
