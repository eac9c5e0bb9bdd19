#include "cli/common.hpp"
#include "base/paths.hpp"

#include <fmt/format.h>

#include "tuna/errors.hpp"

namespace tuna::cli {

CLI::Validator not_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::size_t first = text.find_first_not_of(" \t");
        if (first == std::string::npos || text[first] != '-') return {};
        return fmt::format("{} is negative; give a whole number of 0 or more", text);
      },
      "NONNEGATIVE");
}

void StoreFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--db", db, "results database (default: $TUNA_DB or ~/.cache/tuna/tuna.db)");
}

std::filesystem::path StoreFlags::path() const {
  return db.empty() ? Store::default_path() : std::filesystem::path(db);
}

void EvaluatorFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--cache-dir", cache_dir,
                 "compiled artifacts and logs (default: $TUNA_CACHE_DIR or ~/.cache/tuna)");
  cmd.add_option("-j,--compile-jobs", compile_jobs,
                 "compile processes at once (default: one per core)")
      ->check(not_negative());
  cmd.add_option("--compile-nice", compile_nice,
                 "niceness of the compile processes (0-19): the bench workers, which keep the "
                 "device busy, get the CPU first when every core compiles; 0: equal priority")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  cmd.add_option("--compile-timeout", compile_timeout_s, "seconds per config to compile")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--run-timeout", run_timeout_s,
                 "seconds per config for the checked run plus timing")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--timing-budget", timing_budget_ms, "milliseconds of timing per config")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--min-reps", min_repetitions, "timed repetitions at least")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--warmup", warmup, "untimed runs before timing")
      ->check(not_negative())
      ->capture_default_str();
  cmd.add_flag("--flush-cache", flush_cache,
               "flush the last-level cache between repetitions (for inputs that fit in cache)");
  cmd.add_option("--data-seed", data_seed, "seed of the random input data")
      ->check(not_negative())
      ->capture_default_str();
  cmd.add_option("--overlap-compile", overlap,
                 "run each config while the rest of its batch compiles: auto (on for GPU "
                 "backends, off for host), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  cmd.add_option("--cuda-device", cuda_device,
                 "CUDA device index (default: $TUNA_CUDA_DEVICE, else 0)");
  cmd.add_option("--devices", devices,
                 "measure on several devices at once, one bench worker each: indices or names "
                 "separated by commas (0,1), or all (docs/scale.md)");
  cmd.add_flag("--mixed-devices", mixed_devices,
               "allow --devices of different models: each model gets its own search, at once");
  cmd.add_option("--opencl-platform", opencl_platform,
                 "OpenCL platform: index or part of its name (default: $TUNA_OPENCL_PLATFORM)");
  cmd.add_option("--opencl-device", opencl_device,
                 "OpenCL device: index or part of its name (default: $TUNA_OPENCL_DEVICE, else "
                 "the first GPU, else the first device)");
}

EvaluatorOptions EvaluatorFlags::options() const {
  EvaluatorOptions o;
  o.exe = default_tuna_exe();
  o.cache_dir = cache_dir.empty() ? default_cache_dir() : std::filesystem::path(cache_dir);
  o.compile_jobs = compile_jobs;
  o.compile_nice = compile_nice;
  o.compile_timeout_s = compile_timeout_s;
  o.run_timeout_s = run_timeout_s;
  o.timing.budget_ms = timing_budget_ms;
  o.timing.min_repetitions = min_repetitions;
  o.timing.warmup = warmup;
  o.timing.flush_cache = flush_cache;
  o.seed = data_seed;
  o.overlap = overlap == "on"    ? EvaluatorOptions::Overlap::On
              : overlap == "off" ? EvaluatorOptions::Overlap::Off
                                 : EvaluatorOptions::Overlap::Auto;
  // The backends read the device choice from these variables in the child processes.
  if (!cuda_device.empty()) o.child_env.emplace_back("TUNA_CUDA_DEVICE", cuda_device);
  if (!opencl_platform.empty()) o.child_env.emplace_back("TUNA_OPENCL_PLATFORM", opencl_platform);
  if (!opencl_device.empty()) o.child_env.emplace_back("TUNA_OPENCL_DEVICE", opencl_device);
  if (!devices.empty() && (!cuda_device.empty() || !opencl_device.empty()))
    throw UserError("--devices chooses the devices itself: leave out --cuda-device and "
                    "--opencl-device (or use them alone for a single device)");
  o.devices = devices;
  o.allow_mixed_devices = mixed_devices;
  return o;
}

void OutputFlags::add_to(CLI::App& cmd, bool verbosity_flags) {
  cmd.add_flag("--json", json,
               "print one JSON document on stdout instead of text (schema: docs/json.md)");
  cmd.add_flag("-q,--quiet", quiet,
               verbosity_flags ? "no progress on stderr: only the summary (or the JSON)"
                               : "nothing on stderr but errors");
  if (verbosity_flags)
    cmd.add_flag("-v,--verbose", verbosity,
                 "-v: a line per config, even on a terminal; -vv: also its compile time, "
                 "repetitions, resources and error");
}

Space key_space(const KernelSpec& spec) {
  std::vector<Parameter> params;
  for (const ParameterSpec& p : spec.parameters) params.push_back(p.param);
  return Space(std::move(params), {});
}

}  // namespace tuna::cli

namespace tuna::cli {
std::vector<StoreContext> matching_contexts(const Store& store, const KernelSpec& spec,
                                            const std::string& device_filter) {
  std::string hash = spec.content_hash();
  std::vector<StoreContext> out;
  for (StoreContext& c : store.contexts(spec.name)) {
    if (c.spec_hash != hash) continue;
    if (!device_filter.empty() && c.device_name.find(device_filter) == std::string::npos &&
        c.device_id.find(device_filter) == std::string::npos) {
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}
}  // namespace tuna::cli
