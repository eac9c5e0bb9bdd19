#include "backends/common/device_check_support.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>

#include "tuna/errors.hpp"

namespace tuna::backends {

bool device_check_enabled() {
  const char* host = std::getenv("TUNA_HOST_CHECK");
  return host == nullptr || *host == '\0' || std::string(host) == "0";
}

ReferenceSource reference_source(const std::vector<OutputBuffer>* expected,
                                 const std::string& name, Dtype dtype, std::uint64_t count) {
  if (expected == nullptr) return {};
  auto found = std::find_if(expected->begin(), expected->end(),
                            [&](const OutputBuffer& b) { return b.name == name; });
  if (found == expected->end()) return {false, nullptr};  // an output without an expected file
  TUNA_ASSERT(found->dtype == dtype && found->bytes.size() == count * dtype_size(dtype),
              "expected output " + name + " does not match its argument");
  return {true, &*found};
}

BufferCheck buffer_check(const std::string& name, std::uint64_t count, double tolerance,
                         const CheckSummary& summary,
                         const std::function<double(bool, std::uint64_t)>& element) {
  BufferCheck c;
  c.name = name;
  c.count = count;
  c.tolerance = tolerance;
  c.max_abs_error = std::bit_cast<double>(summary.max_error_bits);
  c.failures = summary.failures;
  if (c.failures > 0) {
    c.first_failure = summary.first_failure;
    c.output_value = element(true, c.first_failure);
    c.reference_value = element(false, c.first_failure);
  }
  return c;
}

}  // namespace tuna::backends
