#pragma once
// Options and helpers shared by the subcommands.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>

#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::cli {

// Exit codes, documented in docs/cli.md.
constexpr int kExitOk = 0;
constexpr int kExitNoCorrectConfig = 1;
constexpr int kExitUserError = 2;
constexpr int kExitInternalError = 70;
constexpr int kExitInterrupted = 130;

struct StoreFlags {
  std::string db;  // empty: Store::default_path()
  void add_to(CLI::App& cmd);
  std::filesystem::path path() const;
};

// Flags that set EvaluatorOptions (timeouts, jobs, timing, cache).
struct EvaluatorFlags {
  std::string cache_dir;
  int compile_jobs = 0;
  int compile_nice = 10;
  double compile_timeout_s = 120;
  double run_timeout_s = 30;
  double timing_budget_ms = 100;
  int min_repetitions = 5;
  int warmup = 1;
  bool flush_cache = false;
  std::uint64_t data_seed = 1;
  std::string overlap = "auto";
  std::string cuda_device, opencl_platform, opencl_device;
  std::string devices;          // --devices: "0,1", "all"; empty: the backend's default device
  bool mixed_devices = false;
  void add_to(CLI::App& cmd);
  EvaluatorOptions options() const;
};

// --json, --quiet and -v/-vv (docs/cli.md, "Output"). With --json, stdout holds one JSON
// document and nothing else; progress stays on stderr.
struct OutputFlags {
  bool json = false;
  bool quiet = false;
  int verbosity = 0;  // how many times -v was given
  // `verbosity_flags`: whether the command reports per-config progress (-v, -vv).
  void add_to(CLI::App& cmd, bool verbosity_flags);
};

// For every flag that counts or sizes something (and for seeds): refuses a negative value with
// a message naming the flag ("--max-evals: -5 is negative; ..."). It must check the text: CLI11
// 2.1 converts "-5" into an unsigned target as 2^64 - 5 without complaint, which made
// `--max-evals -5` an unlimited run. tests/integration/test_cli_flags.cpp runs every unsigned
// flag of every subcommand with a negative value.
CLI::Validator not_negative();

// A space without constraints, for reading stored keys when no device is at hand.
Space key_space(const KernelSpec& spec);

// Each subcommand adds itself; its callback stores the exit code in `exit_code`.
void add_tune_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_show_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_devices_command(CLI::App& app, int& exit_code);
void add_import_command(CLI::App& app, int& exit_code);

}  // namespace tuna::cli

namespace tuna::cli {
// Stored contexts of this spec (same kernel name and spec hash), optionally only devices whose
// name or id contains `device_filter`.
std::vector<StoreContext> matching_contexts(const Store& store, const KernelSpec& spec,
                                            const std::string& device_filter);
}  // namespace tuna::cli
