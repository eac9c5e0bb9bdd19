#pragma once
// Synthetic search spaces with a known optimum, and a loop that runs a strategy against them,
// shared by the tests of the model-free strategies (test_strategy_<name>.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "store/recorded_space.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/strategy.hpp"

namespace tuna::test {

// 7 x 7 x 8 x 2 x 3 x 10 = 23,520 grid points; "A * B <= 512" leaves about 20 thousand.
// Every kind of parameter is present: power-of-two range, integer list, boolean, strings,
// integer range.
inline Space synthetic_space() {
  std::vector<Parameter> params = {
      Parameter::pow2_range("A", 1, 64, 1),
      Parameter::pow2_range("B", 1, 64, 1),
      Parameter::list("C", {1, 2, 3, 4, 5, 6, 7, 8}, 1),
      Parameter::boolean("D", false),
      Parameter::list("E", {Value("x"), Value("y"), Value("z")}, Value("x")),
      Parameter::int_range("F", 0, 9, 1, 0),
  };
  return Space(params, {{Expr::parse("A * B <= 512"), "test"}});
}

// The time of a config of synthetic_space(), in ms; the unique optimum is
// A=16, B=8, C=6, D=true, E=y, F=7 (1 ms). Configs with F == 0 fail to run.
inline double synthetic_time(const Config& c) {
  double a = std::log2(c[0].as_double()), b = std::log2(c[1].as_double());
  double cost = (a - 4) * (a - 4) + (b - 3) * (b - 3) + 0.5 * (c[2].as_double() - 6) *
                (c[2].as_double() - 6) + (c[3].truthy() ? 0 : 1) +
                (c[4].as_string() == "y" ? 0 : 1.5) + 0.3 * std::abs(c[5].as_double() - 7) +
                0.2 * std::abs(a - b - 1);  // an interaction between A and B
  return 1.0 + 0.25 * cost;
}

inline std::string synthetic_optimum_key() { return "A=16,B=8,C=6,D=true,E=y,F=7"; }

using Objective = std::function<Result(const Space&, const Config&)>;

inline Result measure_synthetic(const Space& space, const Config& c) {
  Result r;
  r.config = c;
  r.key = space.key(c);
  if (c[5].as_int() == 0) {
    r.status = Status::RuntimeError;
    r.error_class = "SIGSEGV";
    r.message = "the kernel crashed";
    return r;
  }
  r.median_ms = synthetic_time(c);
  r.times_ms = {r.median_ms};
  return r;
}

struct Trace {
  std::vector<std::string> keys;  // in proposal order
  double best_ms = INFINITY;
  std::string best_key;
  std::size_t evals_to_optimum = 0;  // 0: not reached
};

// Runs propose -> measure -> observe until `budget` configs or an empty batch, checking on the
// way that every proposal is valid, within the batch size, and new.
inline Trace run_strategy(Strategy& s, const Space& space, std::size_t budget,
                          std::size_t batch = 1, const Objective& measure = measure_synthetic,
                          const std::string& optimum = synthetic_optimum_key()) {
  Trace t;
  std::set<std::string> seen;
  while (t.keys.size() < budget) {
    std::vector<Config> configs = s.propose(std::min(batch, budget - t.keys.size()));
    if (configs.empty()) break;
    EXPECT_LE(configs.size(), batch);
    std::vector<Result> results;
    for (const Config& c : configs) {
      std::string key = space.key(c);
      EXPECT_TRUE(space.is_valid(c)) << "invalid proposal " << key;
      EXPECT_TRUE(seen.insert(key).second) << "proposed twice: " << key;
      t.keys.push_back(key);
      Result r = measure(space, c);
      if (r.ok() && r.median_ms < t.best_ms) {
        t.best_ms = r.median_ms;
        t.best_key = key;
      }
      if (key == optimum && !t.evals_to_optimum) t.evals_to_optimum = t.keys.size();
      results.push_back(std::move(r));
    }
    s.observe(results);
  }
  return t;
}

// Runs the strategy as a tuning run with lookahead drives it: `in_flight` configs are always
// out being measured, and each result arrives `in_flight` proposals after its config was asked
// for, so every proposal is made while that many results are still pending. Checks the same as
// run_strategy.
inline Trace run_strategy_in_flight(Strategy& s, const Space& space, std::size_t budget,
                                    std::size_t in_flight,
                                    const Objective& measure = measure_synthetic,
                                    const std::string& optimum = synthetic_optimum_key()) {
  Trace t;
  std::set<std::string> seen;
  std::deque<Result> pending;  // proposed, not yet observed, oldest first
  std::size_t proposed = 0;
  while (proposed < budget || !pending.empty()) {
    // Room in the pipeline: ask for more (a quarter of it at a time, as the driver does).
    if (proposed < budget && pending.size() < in_flight) {
      std::size_t n = std::min({std::max<std::size_t>(1, in_flight / 4), budget - proposed,
                                in_flight - pending.size()});
      std::vector<Config> configs = s.propose(n);
      EXPECT_LE(configs.size(), n);
      for (const Config& c : configs) {
        std::string key = space.key(c);
        EXPECT_TRUE(space.is_valid(c)) << "invalid proposal " << key;
        EXPECT_TRUE(seen.insert(key).second) << "proposed twice: " << key;
        t.keys.push_back(key);
        ++proposed;
        if (key == optimum && !t.evals_to_optimum) t.evals_to_optimum = t.keys.size();
        pending.push_back(measure(space, c));
      }
      if (!configs.empty() && pending.size() < in_flight) continue;
      if (configs.empty() && pending.empty()) break;
    }
    // The oldest result arrives.
    Result r = std::move(pending.front());
    pending.pop_front();
    if (r.ok() && r.median_ms < t.best_ms) {
      t.best_ms = r.median_ms;
      t.best_key = r.key;
    }
    s.observe({r});
  }
  return t;
}

// Every valid config of synthetic_space() (about 20,600) as a recording that replays it, each
// with the same costs: 0.4 s to compile, 0.2 s to run (for the modelled evaluator of
// `tuna compare --pipeline`).
inline sim::RecordedSpace synthetic_recording() {
  sim::RecordedSpace r;
  r.name = "synthetic";
  r.source_format = "tuna";
  r.space = synthetic_space();
  r.space.enumerate([&](const Config& c) {
    Result measured = measure_synthetic(r.space, c);
    sim::RecordedConfig rc;
    rc.config = c;
    rc.key = measured.key;
    rc.status = measured.status;
    rc.error_class = measured.error_class;
    rc.time_ms = measured.median_ms;
    if (measured.ok()) rc.times_ms = {rc.time_ms};
    rc.compile_ms = 400;
    rc.run_ms = 200;
    r.index[rc.key] = r.configs.size();
    r.configs.push_back(std::move(rc));
    return true;
  });
  return r;
}

inline std::size_t count_valid(const Space& space) {
  std::size_t n = 0;
  space.enumerate([&](const Config&) {
    ++n;
    return true;
  });
  return n;
}

// A space of 4 x 4 x 2 = 32 points, 24 of them valid.
inline Space tiny_space() {
  std::vector<Parameter> params = {
      Parameter::list("P", {1, 2, 4, 8}, 1),
      Parameter::list("Q", {1, 2, 4, 8}, 1),
      Parameter::boolean("R", false),
  };
  return Space(params, {{Expr::parse("P * Q <= 16"), "test"}});
}

inline Result measure_tiny(const Space& space, const Config& c) {
  Result r;
  r.config = c;
  r.key = space.key(c);
  r.median_ms = 1.0 + c[0].as_double() / (1 + c[1].as_double()) + (c[2].truthy() ? 0 : 0.5);
  return r;
}

inline Result measure_all_fail(const Space& space, const Config& c) {
  Result r;
  r.config = c;
  r.key = space.key(c);
  r.status = Status::CompileError;
  r.error_class = "compile";
  r.message = "does not compile";
  return r;
}

// The common contract of every model-free strategy, checked for strategy `name`.
inline void check_common_contract(const std::string& name) {
  Space space = synthetic_space();
  {
    SCOPED_TRACE("same seed, same sequence; another seed, another sequence");
    auto a = make_strategy({name, 11}, space);
    auto b = make_strategy({name, 11}, space);
    auto c = make_strategy({name, 12}, space);
    Trace ta = run_strategy(*a, space, 120, 3);
    Trace tb = run_strategy(*b, space, 120, 3);
    Trace tc = run_strategy(*c, space, 120, 3);
    EXPECT_EQ(ta.keys, tb.keys);
    EXPECT_NE(ta.keys, tc.keys);
  }
  {
    SCOPED_TRACE("a tiny space is covered exactly once, then the strategy stops");
    Space tiny = tiny_space();
    auto s = make_strategy({name, 3}, tiny);
    Trace t = run_strategy(*s, tiny, 1000, 2, measure_tiny, "");
    EXPECT_EQ(t.keys.size(), count_valid(tiny));
    EXPECT_TRUE(s->propose(4).empty());
  }
  {
    SCOPED_TRACE("every config failing is information, not a crash");
    auto s = make_strategy({name, 5}, space);
    Trace t = run_strategy(*s, space, 80, 4, measure_all_fail);
    EXPECT_EQ(t.keys.size(), 80u);
  }
  {
    SCOPED_TRACE("configs observed from elsewhere are never proposed");
    auto s = make_strategy({name, 9}, space);
    Result seen = measure_synthetic(space, space.default_config());
    s->observe({seen});
    Trace t = run_strategy(*s, space, 150, 5);
    EXPECT_EQ(std::count(t.keys.begin(), t.keys.end(), seen.key), 0);
  }
}

// Over `seeds` runs of `budget` evaluations: how many found the optimum, and the mean of
// t_opt / t_best.
struct Success {
  int found = 0;
  double mean_score = 0;
};
// With `in_flight` > 0 the runs go as run_strategy_in_flight drives them (lookahead).
inline Success success_rate(const std::string& name, std::size_t budget, int seeds,
                            std::size_t batch = 1, std::size_t in_flight = 0) {
  Space space = synthetic_space();
  Success out;
  for (int seed = 0; seed < seeds; ++seed) {
    auto s = make_strategy({name, static_cast<std::uint64_t>(seed)}, space);
    Trace t = in_flight > 0 ? run_strategy_in_flight(*s, space, budget, in_flight)
                            : run_strategy(*s, space, budget, batch);
    out.found += t.best_key == synthetic_optimum_key();
    out.mean_score += (1.0 / t.best_ms) / seeds;
  }
  return out;
}

}  // namespace tuna::test
