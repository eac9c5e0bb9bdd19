#include "tuna/result.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "tuna/errors.hpp"

namespace tuna {
namespace {

// One table for both directions, so a new status cannot get a name without a parse.
constexpr std::array<std::pair<Status, const char*>, 6> kStatusNames = {{
    {Status::Ok, "ok"},
    {Status::Invalid, "invalid"},
    {Status::CompileError, "compile_error"},
    {Status::RuntimeError, "runtime_error"},
    {Status::Timeout, "timeout"},
    {Status::WrongResult, "wrong_result"},
}};

// Percentile of sorted data with linear interpolation between the two nearest ranks (the usual
// "type 7" definition), so p10/p90 of a short list still move smoothly with the data.
double percentile_of_sorted(const std::vector<double>& sorted, double q) {
  double pos = q * static_cast<double>(sorted.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(pos));
  std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

}  // namespace

const char* status_name(Status s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  TUNA_ASSERT(false, "status without a name");
}

std::optional<Status> status_from_name(std::string_view name) {
  for (const auto& [status, text] : kStatusNames)
    if (name == text) return status;
  return std::nullopt;
}

double median_of(std::vector<double> times) {
  if (times.empty()) return 0;
  std::size_t mid = times.size() / 2;
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(mid), times.end());
  double upper = times[mid];
  if (times.size() % 2 == 1) return upper;
  // The lower middle is the largest element of the lower half, which nth_element left unsorted.
  double lower = *std::max_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double Result::min_ms() const {
  if (times_ms.empty()) return 0;
  return *std::min_element(times_ms.begin(), times_ms.end());
}

double Result::max_ms() const {
  if (times_ms.empty()) return 0;
  return *std::max_element(times_ms.begin(), times_ms.end());
}

double Result::spread() const {
  if (times_ms.size() < 2) return 0;
  std::vector<double> sorted = times_ms;
  std::sort(sorted.begin(), sorted.end());
  double median = percentile_of_sorted(sorted, 0.5);
  if (median <= 0) return 0;  // no meaningful relative spread around zero
  return (percentile_of_sorted(sorted, 0.9) - percentile_of_sorted(sorted, 0.1)) / median;
}

}  // namespace tuna
