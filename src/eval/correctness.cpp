#include "eval/correctness.hpp"

#include "base/usable_cores.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <algorithm>

#include "backends/common/element_decoder.hpp"
#include "core/array_file.hpp"
#include "tuna/errors.hpp"

namespace tuna::eval {
namespace {

bool same_non_finite(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::isinf(a) && std::isinf(b) && std::signbit(a) == std::signbit(b);
}

using backends::with_decoder;

// Runs part(begin, end) over [0, n) in chunks on up to one thread per core; small ranges stay on
// this thread. Returns the parts' results in range order.
template <typename R, typename Part>
std::vector<R> split_over_cores(std::size_t n, const Part& part) {
  constexpr std::size_t kMinChunk = std::size_t{1} << 20;
  std::size_t cores = usable_cores();
  std::size_t chunks = std::clamp<std::size_t>(n / kMinChunk, 1, cores);
  std::vector<R> results(chunks);
  if (chunks == 1) {
    results[0] = part(0, n);
    return results;
  }
  std::vector<std::jthread> threads;
  for (std::size_t c = 0; c < chunks; ++c) {
    std::size_t begin = n * c / chunks, end = n * (c + 1) / chunks;
    threads.emplace_back([&, c, begin, end] { results[c] = part(begin, end); });
  }
  threads.clear();  // joins
  return results;
}

double max_magnitude(const OutputBuffer& b) {
  const unsigned char* p = b.bytes.data();
  auto parts = with_decoder(b.dtype, [&]<typename D>() {
    return split_over_cores<double>(element_count(b), [p](std::size_t begin, std::size_t end) {
      double m = 0;
      for (std::size_t i = begin; i < end; ++i) {
        double v = std::fabs(D::at(p, i));
        if (std::isfinite(v) && v > m) m = v;
      }
      return m;
    });
  });
  return *std::max_element(parts.begin(), parts.end());
}

struct RangeCheck {
  double max_abs_error = 0;
  std::size_t failures = 0;
  std::size_t first_failure = 0;  // valid when failures > 0
};

RangeCheck compare_buffer(const OutputBuffer& ref, const OutputBuffer& out, double tolerance) {
  const unsigned char* r = ref.bytes.data();
  const unsigned char* o = out.bytes.data();
  auto parts = with_decoder(ref.dtype, [&]<typename D>() {
    return split_over_cores<RangeCheck>(element_count(ref), [=](std::size_t begin,
                                                                std::size_t end) {
      RangeCheck c;
      for (std::size_t i = begin; i < end; ++i) {
        double rv = D::at(r, i), ov = D::at(o, i);
        if (same_non_finite(rv, ov)) continue;
        double error = std::fabs(ov - rv);
        if (std::isnan(error)) error = INFINITY;
        if (error > c.max_abs_error) c.max_abs_error = error;
        if (error <= tolerance) continue;
        if (c.failures++ == 0) c.first_failure = i;
      }
      return c;
    });
  });
  RangeCheck total;
  for (const RangeCheck& c : parts) {  // in range order: the first failure has the lowest index
    total.max_abs_error = std::max(total.max_abs_error, c.max_abs_error);
    if (c.failures > 0 && total.failures == 0) total.first_failure = c.first_failure;
    total.failures += c.failures;
  }
  return total;
}

}  // namespace

std::size_t element_count(const OutputBuffer& buffer) {
  return buffer.bytes.size() / dtype_size(buffer.dtype);
}

double element_as_double(const OutputBuffer& b, std::size_t i) {
  return backends::load_element(b.dtype, b.bytes.data(), i);
}

ReferenceOutputs make_reference_outputs(std::vector<OutputBuffer> buffers) {
  ReferenceOutputs reference;
  for (const OutputBuffer& b : buffers) reference.max_magnitude.push_back(max_magnitude(b));
  reference.buffers = std::move(buffers);
  return reference;
}

ReferenceOutputs expected_reference(const KernelSpec& spec, const Env& sizes) {
  std::vector<OutputBuffer> buffers;
  for (const Argument& arg : spec.arguments) {
    if (!arg.is_buffer || arg.expected.empty()) continue;
    OutputBuffer b{arg.name, arg.dtype, {}};
    const std::int64_t count = buffer_elements(arg, sizes);  // as the outputs are laid out
    b.bytes.resize(static_cast<std::size_t>(count) * dtype_size(arg.dtype));
    try {
      read_array_file(arg.expected, arg.dtype, count, b.bytes.data());
    } catch (const ArrayFileError& e) {
      throw UserError(fmt::format("args.{}.expected: {}", arg.name, e.what()));
    }
    buffers.push_back(std::move(b));
  }
  return make_reference_outputs(std::move(buffers));
}

CheckOutcome outcome_of(const std::vector<BufferCheck>& checks) {
  CheckOutcome outcome;
  for (const BufferCheck& c : checks) {
    outcome.max_abs_error = std::max(outcome.max_abs_error, c.max_abs_error);
    if (c.failures == 0 || !outcome.ok) continue;
    outcome.ok = false;
    outcome.message = fmt::format("{}[{}] = {:.6g}, expected {:.6g} (tolerance {:.3g})", c.name,
                                  c.first_failure, c.output_value, c.reference_value, c.tolerance);
    if (c.failures > 1)
      outcome.message +=
          fmt::format("; {} of {} elements of {} differ", c.failures, c.count, c.name);
  }
  return outcome;
}

CheckOutcome check_outputs(const ReferenceOutputs& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol) {
  std::vector<BufferCheck> checks;
  for (std::size_t b = 0; b < reference.buffers.size(); ++b) {
    const OutputBuffer& ref = reference.buffers[b];
    const auto found = std::find_if(outputs.begin(), outputs.end(),
                                    [&](const OutputBuffer& o) { return o.name == ref.name; });
    TUNA_ASSERT(found != outputs.end(), "no output for the reference buffer " + ref.name);
    const OutputBuffer& out = *found;
    TUNA_ASSERT(ref.bytes.size() == out.bytes.size(), "output buffer size changed: " + ref.name);
    TUNA_ASSERT(ref.dtype == out.dtype, "output buffer type changed: " + ref.name);
    BufferCheck check;
    check.name = ref.name;
    check.count = element_count(ref);
    check.tolerance = atol + rtol * reference.max_magnitude[b];
    const RangeCheck c = compare_buffer(ref, out, check.tolerance);
    check.max_abs_error = c.max_abs_error;
    check.failures = c.failures;
    if (c.failures > 0) {
      check.first_failure = c.first_failure;
      check.output_value = element_as_double(out, c.first_failure);
      check.reference_value = element_as_double(ref, c.first_failure);
    }
    checks.push_back(std::move(check));
  }
  return outcome_of(checks);
}

CheckOutcome check_outputs(const std::vector<OutputBuffer>& reference,
                           const std::vector<OutputBuffer>& outputs, double atol, double rtol) {
  return check_outputs(make_reference_outputs(reference), outputs, atol, rtol);
}

}  // namespace tuna::eval
