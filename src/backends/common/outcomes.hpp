#pragma once
// The failed outcomes every backend reports: a compile that failed and a run that failed are
// data for the evaluator (DESIGN.md §3), built here in one way.
#include <cstdint>
#include <string>

#include "tuna/backend.hpp"

namespace tuna::backends {

// A failed compile of class `error_class` ("compile_error", "timeout") with a one-line message
// and the compiler's whole log.
CompileOutcome compile_failure(std::string error_class, std::string message, std::string log);

// A compile_error outcome with the first error line as its message and the whole log.
CompileOutcome compile_error_outcome(std::string message, std::string log);

// A failed run. `fatal`: the device context may be unusable, so the worker must be replaced.
RunOutcome run_failure(std::string error_class, std::string message, bool fatal = false);

// An integer device fact (`device.facts[name]`), or 0 when the device does not report it.
std::int64_t device_fact_int(const DeviceInfo& device, const char* name);

}  // namespace tuna::backends
