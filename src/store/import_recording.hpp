#pragma once
// Recordings: search spaces measured by other tuners (Kernel Tuner caches, T4 results, KTT
// output) or by tuna itself, read into one neutral form. The readers only read: turning a
// recording into a Space, Results or a replay is the caller's business (the simulation backend,
// `tuna import`). docs/simulation.md describes each format and how its fields map.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"

namespace tuna::store {

// One measured configuration.
struct RecordedEntry {
  std::vector<Value> values;  // one per Recording::param_names
  Status status = Status::Ok;
  std::string error_class;  // the recording's own word for a failure, e.g. "RuntimeFailedConfig"
  std::vector<double> times_ms;  // every repetition; may be empty
  double time_ms = 0;            // the recorded objective (Kernel Tuner: the mean of times)
  double compile_ms = 0;
  double benchmark_ms = 0;
  double verification_ms = 0;
  double framework_ms = 0;
  std::string timestamp;
  std::string device;  // which device measured it (tuna stores of schema 2 on); else empty

  // The objective as tuna reads it: the median of the repetitions, else the recorded time.
  double objective_ms() const { return times_ms.empty() ? time_ms : median_of(times_ms); }
};

struct Recording {
  std::string format;  // "kernel_tuner", "t4", "ktt", "tuna"
  std::filesystem::path file;
  std::string kernel_name;
  std::string device_name;
  std::string problem;  // e.g. "4096,4096", or empty when the format does not say
  std::vector<std::string> param_names;
  // Per parameter, the declared values (Kernel Tuner's tune_params) or, when the format has
  // none, the distinct values seen, in the file's order.
  std::vector<std::vector<Value>> param_values;
  std::vector<RecordedEntry> entries;
};

// Reads a whole file; a name ending in .gz is decompressed. Throws UserError naming the file.
std::string read_maybe_gzipped(const std::filesystem::path& file);

// Readers, one per format (import_kernel_tuner.cpp, import_t4.cpp, import_ktt.cpp). Each throws
// UserError naming the file and the entry at fault.
// `doc` is the file's parsed JSON.
Recording read_kernel_tuner_cache(const std::filesystem::path& file,
                                  const nlohmann::ordered_json& doc);
Recording read_t4_results(const std::filesystem::path& file, const nlohmann::ordered_json& doc);
Recording read_ktt_output(const std::filesystem::path& file, const nlohmann::ordered_json& doc);

// Reads any of the three, recognised by content.
Recording read_recording(const std::filesystem::path& file);

// A T1 input file: the tuning parameters (values evaluated from their Python-like list
// expressions) and the restrictions, as tuna expressions (import_t1.cpp).
struct T1Space {
  std::filesystem::path file;
  std::string benchmark_name;
  std::string kernel_name;
  std::vector<std::string> param_names;
  std::vector<std::vector<Value>> param_values;
  std::vector<std::optional<Value>> defaults;
  std::vector<std::string> restrictions;
};
T1Space read_t1(const std::filesystem::path& file);
// Evaluates a T1 value list: "[1, 2, 4]", "[2**i for i in range(0, 6)]",
// "[1, 2] + list(range(32, 1024+1, 32))". Throws UserError saying what is not understood.
std::vector<Value> evaluate_t1_values(const std::string& text);

// The Space of a recording: one list parameter per recorded parameter, and with `t1` its
// restrictions as constraints (named restriction_<n>; T1 parameters the recording lacks, when
// they have one value, become constants). Restricted to the recorded configs that are not
// `invalid` (a configuration absent from an exhaustive recording violates a restriction). The
// default is the T1 default when that config is valid, else the first valid recorded config.
Space recording_space(const Recording& recording, const T1Space* t1 = nullptr);

// The Result a recorded entry stands for in `space` (objective: the median of the repetitions,
// or the recorded time when there are none). Recorded costs other than compiling are kept in
// resources as benchmark_ms, verification_ms and framework_ms, so an export can write them back.
Result recorded_result(const Space& space, const RecordedEntry& entry);

}  // namespace tuna::store
