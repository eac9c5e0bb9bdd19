#pragma once
// Result: what became of one configuration. "Did it run" (status) is kept apart from "how fast"
// (times); a failed config is data with its error class and a one-line message.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/space.hpp"

namespace tuna {

enum class Status { Ok, Invalid, CompileError, RuntimeError, Timeout, WrongResult };
const char* status_name(Status s);  // "ok", "invalid", "compile_error", ...
std::optional<Status> status_from_name(std::string_view name);

struct Result {
  Config config;
  std::string key;  // Space::key(config)
  Status status = Status::Ok;
  std::string error_class;  // e.g. "SIGSEGV", "timeout", "constraint", "mismatch"
  std::string message;      // one line, for people and for the LLM

  double compile_ms = 0;           // 0 when the artifact came from the cache
  std::vector<double> times_ms;    // every timed repetition
  double median_ms = 0;            // the objective; meaningful only when status is Ok
  double max_abs_error = 0;        // against the reference, when checked
  std::map<std::string, double> resources;  // registers, shared_bytes, occupancy, ...

  // Which device measured it: "cuda:1", "opencl:0", "host:0"; under MPI prefixed with the rank
  // and host, "r2@node7/cuda:1". Empty in results stored before tuna recorded it.
  std::string device;

  double started_at = 0;   // seconds since the Unix epoch
  double finished_at = 0;
  bool reused = false;     // taken from the store instead of measured in this run

  bool ok() const { return status == Status::Ok; }
  double min_ms() const;
  double max_ms() const;
  // Relative spread: (p90 - p10) / median, 0 with fewer than two times.
  double spread() const;
};

// Median of a list of times (the mean of the two middle ones for even counts).
double median_of(std::vector<double> times);

}  // namespace tuna
