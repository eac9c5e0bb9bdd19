// Constraint evaluation speed: the 7 Kernel Tuner restrictions of the CLBlast GEMM space
// (datasets/README.md), bound to parameter slots, tested at every one of the 82,944 grid
// points. Prints ns per restriction evaluation (median of several runs) and the number of
// configs passing all (must be 17,956).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "tuna/space.hpp"

namespace {

using tuna::Value;

struct GemmGrid {
  std::vector<std::string> names;
  std::vector<std::vector<Value>> values;
};

GemmGrid gemm_grid() {
  auto ints = [](std::initializer_list<int> v) {
    std::vector<Value> out;
    for (int x : v) out.emplace_back(x);
    return out;
  };
  GemmGrid g;
  auto add = [&](const char* name, std::vector<Value> v) {
    g.names.emplace_back(name);
    g.values.push_back(std::move(v));
  };
  add("MWG", ints({16, 32, 64, 128}));
  add("NWG", ints({16, 32, 64, 128}));
  add("KWG", ints({32}));
  for (const char* n : {"MDIMC", "NDIMC", "MDIMA", "NDIMB"}) add(n, ints({8, 16, 32}));
  add("KWI", ints({2}));
  add("VWM", ints({1, 2, 4, 8}));
  add("VWN", ints({1, 2, 4, 8}));
  add("STRM", ints({0}));
  add("STRN", ints({0}));
  add("SA", ints({0, 1}));
  add("SB", ints({0, 1}));
  add("PRECISION", ints({32}));
  return g;
}

const char* const kRestrictions[] = {
    "KWG % KWI == 0",
    "MWG % (MDIMC * VWM) == 0",
    "NWG % (NDIMC * VWN) == 0",
    "MWG % (MDIMA * VWM) == 0",
    "NWG % (NDIMB * VWN) == 0",
    "KWG % ((MDIMC * NDIMC) / MDIMA) == 0",
    "KWG % ((MDIMC * NDIMC) / NDIMB) == 0",
};

// One pass over the grid: every restriction at every point (no short-circuit, so each
// evaluation is counted). Returns the number of points passing all.
std::size_t sweep(const GemmGrid& g, const std::vector<tuna::BoundExpr>& bound,
                  std::size_t& evaluations) {
  const std::size_t n = g.values.size();
  std::vector<std::size_t> idx(n, 0);
  std::vector<Value> cur(n);
  for (std::size_t i = 0; i < n; ++i) cur[i] = g.values[i][0];
  std::size_t passing = 0;
  while (true) {
    bool all = true;
    for (const auto& b : bound) all &= b.test(cur);
    evaluations += bound.size();
    passing += all ? 1 : 0;
    // Odometer: the last parameter moves fastest.
    std::size_t i = n;
    while (i > 0) {
      --i;
      if (++idx[i] < g.values[i].size()) {
        cur[i] = g.values[i][idx[i]];
        break;
      }
      idx[i] = 0;
      cur[i] = g.values[i][0];
      if (i == 0) return passing;
    }
  }
}

// CPU time of this thread: the machine is shared, and wall time also counts the moments the
// scheduler gave the core to someone else.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main() {
  GemmGrid g = gemm_grid();
  std::vector<tuna::BoundExpr> bound;
  for (const char* r : kRestrictions)
    bound.push_back(tuna::Expr::parse(r).bind(std::span<const std::string>(g.names), {}));

  constexpr int kRuns = 9;
  constexpr int kSweepsPerRun = 10;
  std::vector<double> wall_ns, cpu_ns, overhead_ns;
  std::size_t passing = 0;
  const std::vector<tuna::BoundExpr> none;
  for (int run = 0; run < kRuns; ++run) {
    std::size_t evaluations = 0;
    auto t0 = std::chrono::steady_clock::now();
    double c0 = thread_cpu_ns();
    for (int s = 0; s < kSweepsPerRun; ++s) passing = sweep(g, bound, evaluations);
    double c1 = thread_cpu_ns();
    auto t1 = std::chrono::steady_clock::now();
    double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    wall_ns.push_back(ns / static_cast<double>(evaluations));
    cpu_ns.push_back((c1 - c0) / static_cast<double>(evaluations));
    // The grid walk alone, to show how much of the figure is not expression evaluation.
    std::size_t zero = 0;
    double c2 = thread_cpu_ns();
    for (int s = 0; s < kSweepsPerRun; ++s) sweep(g, none, zero);
    overhead_ns.push_back((thread_cpu_ns() - c2) / static_cast<double>(evaluations));
  }
  std::sort(wall_ns.begin(), wall_ns.end());
  std::sort(cpu_ns.begin(), cpu_ns.end());
  std::sort(overhead_ns.begin(), overhead_ns.end());
  fmt::print("CLBlast GEMM restrictions: {} restrictions x 82944 grid points, {} runs of {} sweeps\n",
             bound.size(), kRuns, kSweepsPerRun);
  fmt::print("  ns per restriction evaluation (thread CPU time): median {:.1f} (min {:.1f}, max "
             "{:.1f}); target < 50\n",
             cpu_ns[kRuns / 2], cpu_ns.front(), cpu_ns.back());
  fmt::print("  ns per restriction evaluation (wall clock):      median {:.1f} (min {:.1f}, max "
             "{:.1f})\n",
             wall_ns[kRuns / 2], wall_ns.front(), wall_ns.back());
  fmt::print("  of which grid walk (odometer), per evaluation:   median {:.1f}\n",
             overhead_ns[kRuns / 2]);
  fmt::print("  configs passing all restrictions: {} (expected 17956)\n", passing);

  // The same restrictions through Expr::evaluate(Env) (name lookups each time), for contrast.
  tuna::Env env;
  for (std::size_t i = 0; i < g.names.size(); ++i) env.set(g.names[i], g.values[i][0]);
  std::vector<tuna::Expr> exprs;
  for (const char* r : kRestrictions) exprs.push_back(tuna::Expr::parse(r));
  constexpr int kEnvEvals = 200000;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t truthy = 0;
  for (int i = 0; i < kEnvEvals; ++i) truthy += exprs[i % exprs.size()].evaluate(env).truthy();
  auto t1 = std::chrono::steady_clock::now();
  fmt::print("  Expr::evaluate(Env), for contrast: {:.1f} ns per evaluation ({} truthy)\n",
             std::chrono::duration<double, std::nano>(t1 - t0).count() / kEnvEvals, truthy);
  return passing == 17956 ? 0 : 1;
}
