#include "llm/workload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <string_view>

#include "llm/prompt_format.hpp"
#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

// A positive, finite numeric fact, or nullopt.
std::optional<double> positive_fact(const DeviceInfo& device, std::string_view name) {
  const Value* v = device.facts.find(name);
  if (!v || !v->is_number() || v->is_bool()) return std::nullopt;
  double x = v->as_double();
  if (!std::isfinite(x) || x <= 0) return std::nullopt;
  return x;
}

std::optional<double> first_fact(const DeviceInfo& device,
                                 std::initializer_list<std::pair<std::string_view, double>> names) {
  for (const auto& [name, scale] : names)
    if (auto x = positive_fact(device, name)) return *x * scale;
  return std::nullopt;
}

std::optional<double> evaluate_metric(const Expr& expr, const Env& env, const char* what,
                                      std::vector<std::string>& problems) {
  if (expr.empty()) return std::nullopt;
  try {
    double x = expr.evaluate(env).as_double();
    if (std::isfinite(x) && x >= 0) return x;
    problems.push_back(fmt::format("metrics.{} = `{}` gives {}, not a count", what, expr.text(),
                                   format_double(x)));
  } catch (const std::exception& e) {
    problems.push_back(fmt::format("metrics.{} = `{}` could not be evaluated: {}", what,
                                   expr.text(), e.what()));
  }
  return std::nullopt;
}

// How a fact reads to a person: its unit from the name's suffix.
std::string fact_text(std::string_view name, const Value& v) {
  if (!v.is_number() || v.is_bool()) return v.to_string();
  const double x = v.as_double();
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  // CUDA names its shared-memory sizes without the unit; they are bytes too.
  if (ends("_bytes") || name.rfind("shared_memory", 0) == 0) {
    if (x == 0) return "0 (not reported)";
    return x < 1024 ? format_bytes(x) : fmt::format("{} ({})", format_bytes(x), v.to_string());
  }
  if (ends("_khz")) return fmt::format("{} kHz ({:.0f} MHz)", v.to_string(), x / 1000);
  if (ends("_mhz")) return v.to_string() + " MHz";
  if (ends("_ghz")) return v.to_string() + " GHz";
  if (ends("_gbps")) return v.to_string() + " GB/s";
  if (ends("_gflops")) return v.to_string() + " GFLOP/s";
  if (ends("_bits")) return v.to_string() + " bits";
  if (ends("_per_s")) return v.to_string() + " per second";
  return v.to_string();
}

// A rate in G-units: four significant digits, without an exponent for large peaks.
std::string format_rate(double x) {
  return x >= 1000 ? fmt::format("{:.0f}", x) : fmt::format("{:.4g}", x);
}

// What the better-known facts mean; others are shown by name alone.
const char* fact_meaning(std::string_view name) {
  static constexpr std::pair<std::string_view, const char*> kMeanings[] = {
      {"compute_capability", "compute capability"},
      {"sm_count", "streaming multiprocessors"},
      {"warp_size", "threads per warp"},
      {"max_threads_per_block", "most threads in one block"},
      {"max_threads_per_sm", "most resident threads per SM"},
      {"max_blocks_per_sm", "most resident blocks per SM"},
      {"shared_memory_per_block", "shared memory one block may use"},
      {"shared_memory_per_block_optin", "shared memory one block may use when it opts in"},
      {"shared_memory_per_sm", "shared memory per SM"},
      {"registers_per_block", "32-bit registers one block may use"},
      {"registers_per_sm", "32-bit registers per SM"},
      {"l2_bytes", "L2 cache"},
      {"l1d_bytes", "L1 data cache per core"},
      {"l3_bytes", "L3 cache"},
      {"cores", "logical CPU cores"},
      {"simd_width_bits", "widest SIMD register"},
      {"memory_bytes", "device memory"},
      {"memory_bandwidth_gbps", "peak memory bandwidth"},
      {"peak_fp32_gflops", "peak fp32 throughput"},
      {"clock_khz", "core clock"},
      {"clock_mhz", "core clock"},
      {"memory_clock_khz", "memory clock"},
      {"memory_bus_width_bits", "memory bus width"},
  };
  for (const auto& [known, meaning] : kMeanings)
    if (known == name) return meaning;
  return nullptr;
}

}  // namespace

std::optional<double> device_peak_flops(const DeviceInfo& device) {
  return first_fact(device, {{"peak_fp32_gflops", 1e9}, {"peak_gflops", 1e9}, {"peak_flops", 1}});
}

std::optional<double> device_peak_bytes_per_s(const DeviceInfo& device) {
  if (auto bw = first_fact(device, {{"memory_bandwidth_gbps", 1e9},
                                    {"peak_bandwidth_gbps", 1e9},
                                    {"memory_bandwidth_bytes_per_s", 1}}))
    return bw;
  auto clock_hz = first_fact(device, {{"memory_clock_khz", 1e3}, {"memory_clock_mhz", 1e6}});
  auto bus_bits = positive_fact(device, "memory_bus_width_bits");
  if (clock_hz && bus_bits) return 2 * *clock_hz * *bus_bits / 8;  // two transfers per clock
  return std::nullopt;
}

WorkloadAnalysis analyze_workload(const KernelSpec& spec, const Space& space,
                                  const DeviceInfo& device) {
  WorkloadAnalysis a;
  Env env;
  try {
    env = spec.env_for(space, space.default_config(), device);
  } catch (const std::exception& e) {
    a.problems.push_back(fmt::format("the default config's values could not be read: {}", e.what()));
    return a;
  }
  a.flops = evaluate_metric(spec.metrics.flops, env, "flops", a.problems);
  a.bytes = evaluate_metric(spec.metrics.bytes, env, "bytes", a.problems);
  if (a.flops && a.bytes && *a.bytes > 0) a.intensity = *a.flops / *a.bytes;
  a.peak_flops_per_s = device_peak_flops(device);
  a.peak_bytes_per_s = device_peak_bytes_per_s(device);
  if (a.peak_flops_per_s && a.peak_bytes_per_s)
    a.machine_balance = *a.peak_flops_per_s / *a.peak_bytes_per_s;
  if (a.intensity && a.machine_balance)
    a.bound = *a.intensity < *a.machine_balance ? "memory" : "compute";
  std::optional<double> compute_s, memory_s;
  if (a.flops && a.peak_flops_per_s) compute_s = *a.flops / *a.peak_flops_per_s;
  if (a.bytes && a.peak_bytes_per_s) memory_s = *a.bytes / *a.peak_bytes_per_s;
  if (compute_s || memory_s)
    a.min_time_ms = 1e3 * std::max(compute_s.value_or(0), memory_s.value_or(0));
  return a;
}

std::string describe_workload(const WorkloadAnalysis& a) {
  std::string out;
  auto line = [&](const std::string& text) { out += text + "\n"; };
  if (a.flops)
    line(fmt::format("- Arithmetic per call: {} floating-point operations", format_count(*a.flops)));
  if (a.bytes)
    line(fmt::format("- Memory traffic per call (each byte once): {} ({})",
                     format_bytes(*a.bytes), format_count(*a.bytes) + " bytes"));
  if (a.intensity) line(fmt::format("- Arithmetic intensity: {:.3g} FLOP per byte", *a.intensity));
  if (!a.flops && !a.bytes && a.problems.empty())
    line("- The spec gives no FLOP or byte counts ([metrics]), so the balance of arithmetic and "
         "memory traffic is not known.");
  for (const auto& p : a.problems) line("- " + p);
  if (a.peak_flops_per_s || a.peak_bytes_per_s) {
    std::string peaks;
    if (a.peak_flops_per_s) peaks += fmt::format("{:.4g} GFLOP/s", *a.peak_flops_per_s / 1e9);
    if (a.peak_bytes_per_s)
      peaks += (peaks.empty() ? "" : ", ") + fmt::format("{:.4g} GB/s", *a.peak_bytes_per_s / 1e9);
    line("- Device peak rates: " + peaks);
  }
  if (a.machine_balance)
    line(fmt::format("- Device balance point: {:.3g} FLOP per byte", *a.machine_balance));
  if (a.bound == "memory") {
    line("- Verdict: memory-bound on this device (intensity below the balance point). Configs "
         "that move fewer bytes, reuse data from cache or shared memory, and keep enough work in "
         "flight to saturate bandwidth matter most.");
  } else if (a.bound == "compute") {
    line("- Verdict: compute-bound on this device (intensity above the balance point). Configs "
         "that keep the arithmetic units busy (register tiling, vectorisation, occupancy, "
         "instruction-level parallelism) matter most.");
  } else if (a.intensity) {
    line("- Verdict: unknown; the device reports no peak rates to compare the intensity with.");
  }
  if (a.min_time_ms)
    line(fmt::format("- Lower bound on the time per call at peak rates: {}",
                     format_ms(*a.min_time_ms)));
  return out;
}

std::string describe_achieved(const KernelSpec& spec, const Space& space, const DeviceInfo* device,
                              const Config& config, double time_ms) {
  if (!std::isfinite(time_ms) || time_ms <= 0) return {};
  const DeviceInfo no_device;
  const DeviceInfo& dev = device ? *device : no_device;
  Env env;
  try {
    env = spec.env_for(space, config, dev);
  } catch (const std::exception&) {
    return {};
  }
  // Problems were already reported with the workload analysis of the first prompt.
  std::vector<std::string> ignored;
  const auto flops = evaluate_metric(spec.metrics.flops, env, "flops", ignored);
  const auto bytes = evaluate_metric(spec.metrics.bytes, env, "bytes", ignored);
  if (!flops && !bytes) return {};
  const double seconds = time_ms * 1e-3;
  const auto peak_flops = device ? device_peak_flops(*device) : std::nullopt;
  const auto peak_bytes = device ? device_peak_bytes_per_s(*device) : std::nullopt;
  std::string out;
  auto rate_line = [&](const char* what, double per_s, const std::optional<double>& peak,
                       const char* unit) {
    out += fmt::format("- {}: {} {}", what, format_rate(per_s / 1e9), unit);
    if (peak)
      out += fmt::format(" = {} of the device's peak {} {}", format_share(per_s / *peak),
                         format_rate(*peak / 1e9), unit);
    out += "\n";
  };
  out += fmt::format("The best config ({}) achieves:\n", format_ms(time_ms));
  if (flops) rate_line("arithmetic", *flops / seconds, peak_flops, "GFLOP/s");
  if (bytes) rate_line("memory traffic (the spec's byte count)", *bytes / seconds, peak_bytes, "GB/s");
  std::optional<double> bound_s;
  if (flops && peak_flops) bound_s = *flops / *peak_flops;
  if (bytes && peak_bytes) bound_s = std::max(bound_s.value_or(0), *bytes / *peak_bytes);
  if (bound_s && *bound_s > 0)
    out += fmt::format("- Its time is {} the lower bound at peak rates ({}): {}\n",
                       format_ratio(seconds / *bound_s), format_ms(*bound_s * 1e3),
                       seconds / *bound_s < 1.5
                           ? "little is left to gain, prefer small refinements"
                           : "the gap shows how much a better config could still gain at most");
  return out;
}

std::string describe_hardware(const DeviceInfo& device) {
  std::string out = fmt::format("- Device: {} (backend: {})\n", device.name.empty() ? "unknown" : device.name,
                                device.backend.empty() ? "unknown" : device.backend);
  // std::map order: facts come out sorted by name, the same on every run.
  for (const auto& [name, value] : device.facts.values()) {
    out += fmt::format("- device.{} = {}", name, fact_text(name, value));
    if (const char* meaning = fact_meaning(name)) out += fmt::format(" ({})", meaning);
    out += "\n";
  }
  if (device.facts.values().empty()) out += "- The backend reported no further facts.\n";
  return out;
}

std::string describe_arguments(const KernelSpec& spec, const Space& space,
                               const DeviceInfo& device) {
  std::string out;
  Env env;
  bool have_env = true;
  try {
    env = spec.env_for(space, space.default_config(), device);
  } catch (const std::exception&) {
    have_env = false;
  }
  out += "Arguments, in the order the kernel receives them:\n";
  double total_bytes = 0;
  for (const Argument& arg : spec.arguments) {
    const char* dtype = dtype_name(arg.dtype);
    if (!arg.is_buffer) {
      std::string value = arg.value.empty() ? "?" : arg.value.text();
      try {
        if (have_env && !arg.value.empty()) value = arg.value.evaluate(env).to_string();
      } catch (const std::exception&) {
      }
      out += fmt::format("- {}: scalar {} = {}", arg.name, dtype, value);
      if (!arg.value.empty() && arg.value.text() != value) out += fmt::format(" (`{}`)", arg.value.text());
      out += "\n";
      continue;
    }
    if (arg.role == ArgRole::Constant)
      out += fmt::format("- {}: not passed to the kernel: {} data copied into its global `{}` "
                         "(constant memory)",
                         arg.name, dtype, constant_symbol(arg));
    else
      out += fmt::format("- {}: {} buffer of {}", arg.name, arg_role_name(arg.role), dtype);
    try {
      if (!have_env) throw UserError("no environment");
      std::int64_t n = buffer_elements(arg, env);
      double bytes = static_cast<double>(n) * static_cast<double>(dtype_size(arg.dtype));
      total_bytes += bytes;
      out += fmt::format(", {} elements", format_count(static_cast<double>(n)));
      if (!arg.count.empty() && arg.count.text() != std::to_string(n))
        out += fmt::format(" (`{}`)", arg.count.text());
      out += fmt::format(", {}", format_bytes(bytes));
    } catch (const std::exception&) {
      out += fmt::format(", `{}` elements", arg.count.empty() ? "?" : arg.count.text());
    }
    out += arg.init == InitKind::File ? std::string(", read from the user's data file\n")
                                      : fmt::format(", filled {}\n", init_kind_name(arg.init));
  }
  if (spec.arguments.empty()) out += "- (none declared)\n";
  if (total_bytes > 0) out += fmt::format("Buffers in all: {}\n", format_bytes(total_bytes));
  out += "Problem constants:\n";
  for (const auto& [name, value] : spec.constants.values())
    out += fmt::format("- {} = {}\n", name, value.to_string());
  if (spec.constants.values().empty()) out += "- (none)\n";
  return out;
}

}  // namespace tuna::llm
