#include "backends/common/outcomes.hpp"

#include <utility>

namespace tuna::backends {

CompileOutcome compile_failure(std::string error_class, std::string message, std::string log) {
  return CompileOutcome{.ok = false,
                        .error_class = std::move(error_class),
                        .message = std::move(message),
                        .log = std::move(log)};
}

CompileOutcome compile_error_outcome(std::string message, std::string log) {
  return compile_failure("compile_error", std::move(message), std::move(log));
}

RunOutcome run_failure(std::string error_class, std::string message, bool fatal) {
  return RunOutcome{.ok = false,
                    .error_class = std::move(error_class),
                    .message = std::move(message),
                    .fatal = fatal};
}

std::int64_t device_fact_int(const DeviceInfo& device, const char* name) {
  const Value* value = device.facts.find(name);
  return value == nullptr || value->is_string() ? 0 : value->as_int();
}

}  // namespace tuna::backends
