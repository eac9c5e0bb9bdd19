#pragma once
// A recorded search space: every configuration of a kernel measured exhaustively on one device
// (a Kernel Tuner cache, T4 results, KTT output, or tuna's own store), ready to replay. The
// simulation backend and `tuna compare` answer from it instead of running anything.
//
// Validity: with a T1 file, the Space carries its restrictions as constraints; without one, a
// configuration absent from the recording is taken to violate a restriction (the recording is
// exhaustive), so the Space is restricted to the recorded keys. Either way strategies never
// propose, and budgets never count, a configuration that violates a restriction.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna::sim {

struct RecordedConfig {
  Config config;
  std::string key;               // Space::key(config)
  Status status = Status::Ok;    // failed configs keep the recorded failure class
  std::string error_class;       // e.g. "CompilationFailedConfig"
  std::vector<double> times_ms;  // every recorded repetition (may be empty for failures)
  double time_ms = 0;            // the objective: median of times_ms (or the recorded time)
  double compile_ms = 0;         // recorded cost of compiling, charged to a time budget
  double run_ms = 0;             // recorded cost of benchmarking + verification
  double framework_ms = 0;       // the recording tuner's own overhead (not charged)
};

struct RecordedSpace {
  std::string name;  // a short name for tables (from the file name)
  std::string device_name;
  std::string kernel_name;
  std::string source_format;  // "kernel_tuner", "t4", "ktt", "tuna"
  Space space;
  std::vector<RecordedConfig> configs;
  std::unordered_map<std::string, std::size_t> index;  // key -> position in configs

  const RecordedConfig* find(const std::string& key) const;
  // The best recorded time among ok configs.
  double optimum_ms() const;
  // Ok times, sorted ascending (for the exact expectation of random search).
  std::vector<double> sorted_ok_times() const;
};

// How replay turns a recording into a measurement.
enum class ReplayNoise { Median, OneRepetition };

// Replays one config: its recorded status and time (the median, or one repetition drawn with
// `rng` for noisy evaluation), as a Result with compile_ms and times filled in, and the recorded
// cost of running it (benchmarking + verification) in resources["run_ms"]: a time budget is
// charged compile_ms + resources["run_ms"] (see charged_ms). A config outside the recorded space
// comes back `invalid` with nothing charged.
Result replay(const RecordedSpace& recorded, const Config& config, ReplayNoise noise,
              std::mt19937_64& rng);

// What evaluating a replayed result costs a time budget: compile_ms + resources["run_ms"].
double charged_ms(const Result& replayed);

// Reads any supported recording (detected from its content; .gz read transparently; a tuna
// store file with a single context counts too). With
// `t1_file`, the Space's constraints come from its restrictions. Throws UserError naming the
// file and what is wrong.
RecordedSpace load_recorded_space(const std::filesystem::path& file,
                                  const std::optional<std::filesystem::path>& t1_file = {});

}  // namespace tuna::sim
