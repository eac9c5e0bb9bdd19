// What the prompt says about the problem and the device: FLOPs, bytes, intensity, whether the
// kernel is memory- or compute-bound, the hardware facts with units, and the arguments.
#include <gtest/gtest.h>

#include "llm/workload.hpp"
#include "unit/spec_test_support.hpp"

namespace tuna::testing {
namespace {

using llm::analyze_workload;
using llm::describe_arguments;
using llm::describe_hardware;
using llm::describe_workload;

class LlmWorkload : public SpecFolder {
 protected:
  static DeviceInfo gpu() {
    DeviceInfo d;
    d.backend = "cuda";
    d.name = "Test GPU";
    d.facts.set("sm_count", 108);
    d.facts.set("shared_memory_per_block", 49152);
    d.facts.set("l2_bytes", 41943040);
    d.facts.set("clock_khz", 1410000);
    d.facts.set("memory_bandwidth_gbps", 1555.0);
    d.facts.set("peak_fp32_gflops", 19500.0);
    d.facts.set("compute_capability", "8.0");
    return d;
  }
  static bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(LlmWorkload, ComputesFlopsBytesIntensityAndTheBoundOnADeviceWithPeakRates) {
  KernelSpec spec = load(kMatmulSpec);
  Space space = spec.make_space(gpu());
  auto a = analyze_workload(spec, space, gpu());
  ASSERT_TRUE(a.flops && a.bytes && a.intensity && a.machine_balance);
  EXPECT_DOUBLE_EQ(*a.flops, 2.0 * 64 * 64 * 32);
  EXPECT_DOUBLE_EQ(*a.bytes, 4.0 * (64 * 32 + 32 * 64 + 64 * 64));
  EXPECT_DOUBLE_EQ(*a.intensity, 262144.0 / 32768.0);
  EXPECT_NEAR(*a.machine_balance, 19500.0 / 1555.0, 1e-9);
  EXPECT_EQ(a.bound, "memory");  // 8 FLOP/byte below the ~12.5 balance point
  ASSERT_TRUE(a.min_time_ms);
  EXPECT_NEAR(*a.min_time_ms, 1e3 * 32768.0 / 1555e9, 1e-12);
  const std::string text = describe_workload(a);
  EXPECT_TRUE(has(text, "262,144 floating-point operations")) << text;
  EXPECT_TRUE(has(text, "32 KiB")) << text;
  EXPECT_TRUE(has(text, "Arithmetic intensity: 8 FLOP per byte")) << text;
  EXPECT_TRUE(has(text, "memory-bound")) << text;
}

TEST_F(LlmWorkload, CallsAHighIntensityKernelComputeBound) {
  std::string text = replaced(kMatmulSpec, "K = 32", "K = 4096");
  text = replaced(text, "count = \"M * K\"", "count = \"M * 32\"");
  text = replaced(text, "count = \"K * N\"", "count = \"32 * N\"");
  text = replaced(text, "bytes = \"4 * (M * K + K * N + M * N)\"", "bytes = \"4 * (M * N)\"");
  KernelSpec spec = load(text);
  auto a = analyze_workload(spec, spec.make_space(gpu()), gpu());
  EXPECT_EQ(a.bound, "compute");
  EXPECT_TRUE(has(describe_workload(a), "compute-bound"));
}

TEST_F(LlmWorkload, SaysSoWhenTheDeviceHasNoPeakRatesOrTheSpecNoMetrics) {
  KernelSpec spec = load(kMatmulSpec);
  DeviceInfo host;
  host.backend = "host";
  host.name = "Test CPU";
  host.facts.set("cores", 2);
  auto a = analyze_workload(spec, spec.make_space(host), host);
  EXPECT_TRUE(a.intensity);
  EXPECT_FALSE(a.machine_balance);
  EXPECT_EQ(a.bound, "unknown");
  EXPECT_TRUE(has(describe_workload(a), "reports no peak rates"));

  std::string no_metrics(kMatmulSpec.substr(0, kMatmulSpec.find("[metrics]")));
  KernelSpec bare = load(no_metrics, "bare.toml");
  auto b = analyze_workload(bare, bare.make_space(gpu()), gpu());
  EXPECT_FALSE(b.flops);
  EXPECT_EQ(b.bound, "unknown");
  EXPECT_TRUE(has(describe_workload(b), "no FLOP or byte counts"));
}

TEST_F(LlmWorkload, DerivesBandwidthFromTheMemoryClockAndBusWidth) {
  DeviceInfo d;
  d.facts.set("memory_clock_khz", 1215000);
  d.facts.set("memory_bus_width_bits", 5120);
  d.facts.set("peak_gflops", 19500.0);
  ASSERT_TRUE(llm::device_peak_bytes_per_s(d));
  EXPECT_DOUBLE_EQ(*llm::device_peak_bytes_per_s(d), 2 * 1215000e3 * 5120 / 8);
  EXPECT_DOUBLE_EQ(*llm::device_peak_flops(d), 19500e9);
  d.facts.set("memory_bandwidth_gbps", 0);  // zero means "not reported", not infinitely slow
  EXPECT_DOUBLE_EQ(*llm::device_peak_bytes_per_s(d), 2 * 1215000e3 * 5120 / 8);
  EXPECT_FALSE(llm::device_peak_flops(DeviceInfo{}));
}

TEST_F(LlmWorkload, ReportsAMetricThatFailsToEvaluate) {
  // load_spec rejects this; a spec built through the API may still carry it.
  KernelSpec spec = load(kMatmulSpec);
  spec.metrics.flops = Expr::parse("2 * M * N * K / (BM - 16)");
  auto a = analyze_workload(spec, spec.make_space(gpu()), gpu());
  EXPECT_FALSE(a.flops);
  ASSERT_EQ(a.problems.size(), 1u);
  EXPECT_TRUE(has(a.problems[0], "metrics.flops")) << a.problems[0];
  EXPECT_TRUE(has(describe_workload(a), "metrics.flops"));
}

TEST_F(LlmWorkload, DescribesEveryHardwareFactWithItsUnit) {
  const std::string text = describe_hardware(gpu());
  EXPECT_TRUE(has(text, "- Device: Test GPU (backend: cuda)")) << text;
  EXPECT_TRUE(has(text, "- device.sm_count = 108 (streaming multiprocessors)")) << text;
  EXPECT_TRUE(has(text, "- device.shared_memory_per_block = 48 KiB (49152)")) << text;
  EXPECT_TRUE(has(text, "- device.l2_bytes = 40 MiB (41943040) (L2 cache)")) << text;
  EXPECT_TRUE(has(text, "- device.clock_khz = 1410000 kHz (1410 MHz)")) << text;
  EXPECT_TRUE(has(text, "- device.memory_bandwidth_gbps = 1555.0 GB/s")) << text;
  EXPECT_TRUE(has(text, "- device.peak_fp32_gflops = 19500.0 GFLOP/s")) << text;
  EXPECT_TRUE(has(text, "- device.compute_capability = 8.0 (compute capability)")) << text;
  EXPECT_EQ(text, describe_hardware(gpu()));
}

TEST_F(LlmWorkload, DescribesArgumentsWithTypesSizesAndTheProblemConstants) {
  KernelSpec spec = load(kMatmulSpec);
  const std::string text = describe_arguments(spec, spec.make_space(gpu()), gpu());
  EXPECT_TRUE(has(text, "- A: input buffer of f32, 2,048 elements (`M * K`), 8 KiB, filled random"))
      << text;
  EXPECT_TRUE(has(text, "- C: output buffer of f32, 4,096 elements (`M * N`), 16 KiB")) << text;
  EXPECT_TRUE(has(text, "- n: scalar i32 = 64 (`M`)")) << text;
  EXPECT_TRUE(has(text, "Buffers in all: 32 KiB")) << text;
  EXPECT_TRUE(has(text, "- M = 64")) << text;
  EXPECT_TRUE(has(text, "- alpha = 1.5")) << text;
}

TEST_F(LlmWorkload, SaysThatConstantMemoryDataIsNotAKernelArgument) {
  const std::string with_filter =
      replaced(kMatmulSpec, "[[args]]\nname = \"n\"",
               "[[args]]\nname = \"filter\"\ntype = \"f32\"\ncount = \"16\"\n"
               "role = \"constant\"\nsymbol = \"d_filter\"\n\n[[args]]\nname = \"n\"");
  KernelSpec spec = load(with_filter);
  const std::string text = describe_arguments(spec, spec.make_space(gpu()), gpu());
  EXPECT_TRUE(has(text, "- filter: not passed to the kernel: f32 data copied into its global "
                        "`d_filter` (constant memory), 16 elements"))
      << text;
  EXPECT_FALSE(has(text, "constant buffer")) << text;
}

TEST_F(LlmWorkload, ReportsWhatTheBestConfigAchievesAgainstTheDevicePeaks) {
  KernelSpec spec = load(kMatmulSpec);
  const DeviceInfo device = gpu();
  Space space = spec.make_space(device);
  const Config best = space.default_config();
  // 262,144 FLOP and 32,768 bytes in 0.001 ms: 262.1 GFLOP/s and 32.77 GB/s.
  const std::string text = llm::describe_achieved(spec, space, &device, best, 0.001);
  EXPECT_EQ(text, llm::describe_achieved(spec, space, &device, best, 0.001));
  EXPECT_TRUE(has(text, "The best config (0.001 ms) achieves:")) << text;
  EXPECT_TRUE(has(text, "- arithmetic: 262.1 GFLOP/s = 1.3% of the device's peak 19500 GFLOP/s"))
      << text;
  EXPECT_TRUE(has(text, "- memory traffic (the spec's byte count): 32.77 GB/s = 2.1% of the "
                        "device's peak 1555 GB/s"))
      << text;
  // The roofline bound is the memory time, 32768 / 1555e9 s = 2.107e-05 ms: x47.5.
  EXPECT_TRUE(has(text, "- Its time is x47.5 the lower bound at peak rates")) << text;

  // Without a device: rates only. Without metrics, or without a time: nothing.
  const std::string bare = llm::describe_achieved(spec, space, nullptr, best, 0.001);
  EXPECT_TRUE(has(bare, "- arithmetic: 262.1 GFLOP/s\n")) << bare;
  EXPECT_FALSE(has(bare, "peak")) << bare;
  EXPECT_EQ(llm::describe_achieved(spec, space, &device, best, 0), "");
  spec.metrics = Metrics{};
  EXPECT_EQ(llm::describe_achieved(spec, space, &device, best, 0.001), "");
}

}  // namespace
}  // namespace tuna::testing
