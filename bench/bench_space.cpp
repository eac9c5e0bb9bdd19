// Space operations at scale:
//  1. enumerate() of the CLBlast GEMM space (82,944 grid points, 17,956 valid); target < 50 ms.
//  2. random_valid() on spaces where fewer than 1 in 10^5 grid points is valid; target < 1 ms
//     per sample. One space enumerates cheaply (so Auto samples from the cached list); the
//     other is far too large to enumerate (so Auto uses the probe sampler). Every method is
//     timed on both, with the one-time cost of the first draw reported apart.
// Figures are medians of several runs.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "tuna/errors.hpp"
#include "support/clblast_gemm_space.hpp"
#include "tuna/space.hpp"

namespace {

using tuna::Constraint;
using tuna::Expr;
using tuna::Parameter;
using tuna::SamplingMethod;
using tuna::Space;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}


// `n` parameters with 16 values each, tied by modular constraints that leave about 1 in 10^6
// grid points valid (8 parameters: 4,096 valid of 4.3e9).
Space sparse_space(int n) {
  std::vector<Parameter> p;
  for (int i = 0; i < n; ++i) p.push_back(Parameter::int_range(fmt::format("p{}", i), 0, 15, 1, 0));
  std::vector<Constraint> c;
  auto add = [&](std::string text) { c.push_back(Constraint{Expr::parse(text), {}}); };
  add("p0 + p1 == 15");                    // 1/16
  add("p2 * p3 % 16 == 1");                // 1/32
  add("(p4 + 2 * p5) % 16 == p6");         // 1/16
  add("p7 % 4 == p0 % 4");                 // 1/4
  add("(p1 + p3 + p5 + p7) % 8 == 0");     // 1/8
  add("p4 < 4");                           // 1/4
  for (int i = 8; i + 1 < n; i += 2) add(fmt::format("(p{} + p{}) % 16 == {}", i, i + 1, i));
  return Space(std::move(p), std::move(c));
}

// The adversarial case: one constraint that reads all 8 parameters, so nothing can be pruned
// before the last one is assigned; it leaves about 1 in 10^6 grid points valid.
Space global_space() {
  std::vector<Parameter> p;
  for (int i = 0; i < 8; ++i) p.push_back(Parameter::int_range(fmt::format("p{}", i), 0, 15, 1, 0));
  std::vector<Constraint> c;
  c.push_back(Constraint{
      Expr::parse("(p0 + 16 * p1 + 256 * p2 + 4096 * p3 + 65536 * p4 + 1048576 * p5 + "
                  "16777216 * p6 + 268435456 * p7) % 1000003 < 4"),
      {}});
  return Space(std::move(p), std::move(c));
}

void bench_global() {
  Space s = global_space();
  std::mt19937_64 rng(42);
  auto t0 = Clock::now();
  s.random_valid(rng);
  double first_ms = ms_since(t0);
  constexpr int kDraws = 9;
  std::vector<double> per_sample;
  int invalid = 0;
  for (int i = 0; i < kDraws; ++i) {
    auto t1 = Clock::now();
    invalid += s.is_valid(s.random_valid(rng)) ? 0 : 1;
    per_sample.push_back(ms_since(t1));
  }
  fmt::print("random_valid 8x16, one constraint reading all 8 [auto]: first draw {:.1f} ms; then "
             "median {:.2f} ms per sample; {} invalid (adversarial: nothing can be pruned)\n",
             first_ms, median(per_sample), invalid);
}

void bench_enumerate() {
  Space s = tuna::testing::clblast_gemm_space();
  std::vector<double> times;
  std::size_t count = 0;
  for (int run = 0; run < 9; ++run) {
    count = 0;
    auto t0 = Clock::now();
    s.enumerate([&](const tuna::Config&) {
      ++count;
      return true;
    });
    times.push_back(ms_since(t0));
  }
  fmt::print("enumerate GEMM: {} valid of {} grid points; median {:.2f} ms (min {:.2f}); "
             "target < 50 ms\n",
             count, s.grid_size(), median(times), *std::min_element(times.begin(), times.end()));
}

void bench_sampling(const char* label, int n_params, const std::vector<SamplingMethod>& methods) {
  const char* names[] = {"auto", "enumerated", "probe", "backtrack"};
  for (SamplingMethod m : methods) {
    // A fresh space per method so that the first draw pays the one-time work (the cache of
    // valid configs, or the probe sampler's warm-up).
    Space s = sparse_space(n_params);
    std::mt19937_64 rng(42);
    auto t0 = Clock::now();
    tuna::Config first = s.random_valid(rng, m);
    double first_ms = ms_since(t0);
    std::vector<double> per_sample;
    int invalid = s.is_valid(first) ? 0 : 1;
    for (int run = 0; run < 7; ++run) {
      constexpr int kDraws = 200;
      auto t1 = Clock::now();
      for (int i = 0; i < kDraws; ++i) invalid += s.is_valid(s.random_valid(rng, m)) ? 0 : 1;
      per_sample.push_back(ms_since(t1) / kDraws);
    }
    fmt::print("random_valid {} [{}]: first draw {:.2f} ms; then median {:.4f} ms per sample; "
               "{} invalid; target < 1 ms\n",
               label, names[static_cast<int>(m)], first_ms, median(per_sample), invalid);
  }
  Space s = sparse_space(n_params);
  auto t0 = Clock::now();
  tuna::SpaceSize size = s.size();
  fmt::print("size {}: {:.4g} valid ({}) of {:.4g} grid points (fraction {:.3g}); {:.1f} ms\n", label,
             size.count, size.exact ? "exact" : "estimated", s.grid_size(),
             size.count / s.grid_size(), ms_since(t0));
}

}  // namespace

int main() {
  bench_enumerate();
  bench_sampling("8x16 (enumerable)", 8,
                 {SamplingMethod::Auto, SamplingMethod::Enumerated, SamplingMethod::Probe,
                  SamplingMethod::Backtrack});
  bench_sampling("14x16 (not enumerable)", 14,
                 {SamplingMethod::Auto, SamplingMethod::Probe, SamplingMethod::Backtrack});
  bench_global();
  return 0;
}
