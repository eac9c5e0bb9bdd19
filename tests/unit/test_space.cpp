#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "tuna/errors.hpp"
#include "tuna/space.hpp"
#include "support/clblast_gemm_space.hpp"
#include "support/int_values.hpp"

namespace tuna {
namespace {

using testing::ints;

Constraint constraint(const char* text, std::string origin = {}) {
  return Constraint{Expr::parse(text), std::move(origin)};
}

// A small mixed space: numbers, strings, bools, floats.
Space mixed_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::pow2_range("BM", 16, 128, 64));
  p.push_back(Parameter::int_range("UNROLL", 1, 4, 1, 1));
  p.push_back(Parameter::list("LOOP", {Value("ijk"), Value("ikj"), Value("kij")}, Value("ijk")));
  p.push_back(Parameter::boolean("PAD", false));
  p.push_back(Parameter::list("ALPHA", {Value(0.5), Value(1.0), Value(2.0)}, Value(1.0)));
  std::vector<Constraint> c;
  c.push_back(constraint("BM * UNROLL <= 256", "spec.toml:10"));
  c.push_back(constraint("LOOP != 'kij' or not PAD", "spec.toml:11"));
  return Space(std::move(p), std::move(c));
}

// Every grid point, by brute force, with the constraints checked directly through
// Expr::evaluate: the reference the pruned algorithms must match.
std::vector<Config> brute_force(const Space& space) {
  std::vector<Config> out;
  const auto& params = space.params();
  std::vector<Value> cur(params.size());
  std::function<void(std::size_t)> rec = [&](std::size_t i) {
    if (i == params.size()) {
      Env env = space.constants();
      for (std::size_t k = 0; k < params.size(); ++k) env.set(params[k].name, cur[k]);
      for (const auto& c : space.constraints()) {
        try {
          if (!c.expr.evaluate(env).truthy()) return;
        } catch (const ExprError&) {
          return;
        }
      }
      out.emplace_back(cur);
      return;
    }
    for (const auto& v : params[i].values) {
      cur[i] = v;
      rec(i + 1);
    }
  };
  rec(0);
  return out;
}

TEST(Parameter, RangesExpand) {
  Parameter r = Parameter::int_range("U", 1, 10, 3, 4);
  EXPECT_EQ(r.values, ints({1, 4, 7, 10}));
  EXPECT_EQ(r.kind, ParamKind::IntRange);
  Parameter p = Parameter::pow2_range("BM", 16, 256, 64);
  EXPECT_EQ(p.values, ints({16, 32, 64, 128, 256}));
  Parameter b = Parameter::boolean("PAD", true);
  EXPECT_EQ(b.values, (std::vector<Value>{Value(false), Value(true)}));
  EXPECT_EQ(b.default_value, Value(true));
  EXPECT_EQ(b.index_of(Value(1)), 1);
  EXPECT_EQ(b.index_of(Value(2)), -1);
  EXPECT_STREQ(param_kind_name(ParamKind::Pow2Range), "pow2_range");
}

TEST(Parameter, ListsSortAndDeduplicateNumbersKeepStringOrder) {
  Parameter p = Parameter::list("T", ints({64, 16, 32, 16, 64}), 32);
  EXPECT_EQ(p.values, ints({16, 32, 64}));
  EXPECT_EQ(p.index_of(Value(32)), 1);
  EXPECT_EQ(p.index_of(Value(32.0)), 1);
  EXPECT_EQ(p.index_of(Value(33)), -1);
  Parameter s = Parameter::list("L", {Value("kij"), Value("ijk"), Value("kij")}, Value("ijk"));
  EXPECT_EQ(s.values, (std::vector<Value>{Value("kij"), Value("ijk")}));
}

TEST(Space, TheTwoWayChoicesAreTheParametersOfTwoValuesWhateverTheirKind) {
  Space space({Parameter::list("BX", ints({16, 32, 64}), 16), Parameter::list("SHMEM", ints({0, 1}), 0),
               Parameter::boolean("PAD", false), Parameter::list("ONE", ints({1}), 1),
               Parameter::list("LOOP", {Value("ijk"), Value("ikj")}, Value("ijk"))},
              {});
  EXPECT_EQ(space.switches(), (std::vector<std::size_t>{1, 2, 4}));
  EXPECT_TRUE(space.params()[1].is_switch());
  EXPECT_FALSE(space.params()[3].is_switch());  // a fixed value is no choice
  EXPECT_EQ(space.switch_settings(space.default_config()),
            (std::vector<Value>{Value(0), Value(false), Value("ijk")}));
}

void expect_user_error(const std::function<void()>& f, std::string_view fragment) {
  try {
    f();
    ADD_FAILURE() << "expected a UserError containing: " << fragment;
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Parameter, ConstructorsValidate) {
  expect_user_error([] { Parameter::int_range("U", 5, 1, 1, 1); }, "'U': the range is empty");
  expect_user_error([] { Parameter::int_range("U", 1, 5, 0, 1); }, "'U': step must be positive");
  expect_user_error([] { Parameter::int_range("U", 1, 5, 2, 2); }, "'U': the default 2 is not");
  expect_user_error([] { Parameter::pow2_range("BM", 16, 100, 16); }, "'BM': a power-of-two");
  expect_user_error([] { Parameter::pow2_range("BM", 0, 64, 16); }, "'BM'");
  expect_user_error([] { Parameter::list("T", {}, 1); }, "'T': the list of values is empty");
  expect_user_error([] { Parameter::list("T", {Value(1), Value("a")}, 1); },
                    "mixes strings and numbers");
  expect_user_error([] { Parameter::list("T", ints({1, 2}), 3); }, "the default 3 is not one");
  expect_user_error([] { Parameter::list("T", {Value("a,b")}, Value("a,b")); }, "no ','");
  expect_user_error([] { Parameter::int_range("U", 0, 100000000, 1, 0); }, "more than");
}

TEST(Space, ConstructionErrorsNameTheProblem) {
  expect_user_error(
      [] {
        Space({Parameter::list("BM", ints({16}), 16), Parameter::list("BM", ints({8}), 8)}, {});
      },
      "'BM' is declared twice");
  expect_user_error([] { Space({Parameter::list("a-b", ints({1}), 1)}, {}); },
                    "parameter name 'a-b'");
  expect_user_error([] { Space({Parameter::list("in", ints({1}), 1)}, {}); },
                    "parameter name 'in'");
  try {
    Space({Parameter::list("BM", ints({16}), 16), Parameter::list("BN", ints({16}), 16)},
          {constraint("BM * BX <= 256", "spec.toml:14")});
    FAIL();
  } catch (const ExprError& e) {
    std::string m = e.what();
    EXPECT_EQ(e.column(), 6u);
    EXPECT_NE(m.find("spec.toml:14"), std::string::npos) << m;
    EXPECT_NE(m.find("unknown name 'BX'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'BM'?"), std::string::npos) << m;
  }
  Parameter bad = Parameter::list("T", ints({1, 2}), 1);
  bad.default_value = Value(5);  // the struct is public; the Space re-checks
  expect_user_error([&] { Space({bad}, {}); }, "the default 5 is not one of its values");
}

TEST(Space, ConstantsFoldIntoConstraints) {
  Env constants;
  constants.set("M", 96);
  constants.set("device.max_threads_per_block", 1024);
  Space s({Parameter::list("BM", ints({16, 32, 64}), 16), Parameter::list("T", ints({256, 2048}), 256)},
          {constraint("M % BM == 0"), constraint("T <= device.max_threads_per_block")}, constants);
  EXPECT_EQ(s.size().count, 2.0);  // BM in {16, 32}, T = 256
  EXPECT_TRUE(s.size().exact);
  EXPECT_EQ(s.constants().find("M")->as_int(), 96);
}

TEST(Space, KeysRoundTrip) {
  Space s = mixed_space();
  auto all = s.enumerate_all();
  ASSERT_FALSE(all.empty());
  for (const auto& c : all) EXPECT_EQ(s.parse_key(s.key(c)), c) << s.key(c);
  EXPECT_EQ(s.key(s.default_config()), "BM=64,UNROLL=1,LOOP=ijk,PAD=false,ALPHA=1.0");
}

TEST(Space, ParseKeyIsLenient) {
  Space s = mixed_space();
  Config c = s.parse_key(" PAD=true , BM=32,LOOP=ikj");
  EXPECT_EQ(s.key(c), "BM=32,UNROLL=1,LOOP=ikj,PAD=true,ALPHA=1.0");
  EXPECT_EQ(s.parse_key(""), s.default_config());
  EXPECT_EQ(s.parse_key("PAD=1,ALPHA=2")[4], Value(2.0));
  EXPECT_EQ(s.parse_key("PAD=1")[3], Value(true));
  EXPECT_TRUE(s.parse_key("ALPHA=2")[4].is_float());  // canonical kind of the allowed value
}

TEST(Space, ParseKeyErrors) {
  Space s = mixed_space();
  expect_user_error([&] { s.parse_key("BN=64"); }, "unknown parameter 'BN'");
  expect_user_error([&] { s.parse_key("BN=64"); }, "did you mean 'BM'?");
  expect_user_error([&] { s.parse_key("BM=48"); }, "BM=48 is not allowed (allowed: 16, 32, 64, 128)");
  expect_user_error([&] { s.parse_key("LOOP=jik"); }, "allowed: ijk, ikj, kij");
  expect_user_error([&] { s.parse_key("BM"); }, "expected NAME=VALUE");
  expect_user_error([&] { s.parse_key("BM=16,BM=32"); }, "given twice");
}

TEST(Space, FromSparseAndDiff) {
  Space s = mixed_space();
  Config c = s.from_sparse({{"LOOP", Value("kij")}, {"BM", Value("128")}});
  EXPECT_EQ(c[0], Value(128));
  EXPECT_TRUE(c[0].is_int());
  EXPECT_EQ(c[2], Value("kij"));
  auto d = s.diff(c, s.default_config());
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].first, "BM");
  EXPECT_EQ(d[1].first, "LOOP");
  EXPECT_TRUE(s.diff(c, c).empty());
  // Values outside the lists are kept, for out_of_range() and repair() to deal with.
  Config far = s.from_sparse({{"BM", Value(100)}});
  EXPECT_EQ(s.out_of_range(far), std::vector<std::size_t>{0});
  expect_user_error([&] { s.from_sparse({{"LOPP", Value("ijk")}}); }, "did you mean 'LOOP'?");
}

TEST(Space, ValidityViolationsOutOfRange) {
  Space s = mixed_space();
  Config c = s.parse_key("BM=128,UNROLL=2,LOOP=kij,PAD=true");
  EXPECT_FALSE(s.is_valid(c));
  EXPECT_EQ(s.violations(c), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(s.out_of_range(c).empty());
  c = s.parse_key("BM=128,UNROLL=4,LOOP=kij,PAD=true");
  EXPECT_EQ(s.violations(c), (std::vector<std::size_t>{0, 1}));
  Config ok = s.default_config();
  EXPECT_TRUE(s.is_valid(ok));
  EXPECT_TRUE(s.violations(ok).empty());
  ok[1] = Value(7);
  EXPECT_FALSE(s.is_valid(ok));
  EXPECT_EQ(s.out_of_range(ok), std::vector<std::size_t>{1});
  EXPECT_FALSE(s.is_valid(Config({Value(64)})));  // wrong size: not valid
}

TEST(Space, GemmEnumerationMatchesThePublishedCount) {
  Space s = testing::clblast_gemm_space();
  EXPECT_EQ(s.grid_size(), 82944.0);
  std::size_t n = 0;
  std::string prev;
  s.enumerate([&](const Config& c) {
    EXPECT_TRUE(s.is_valid(c));
    ++n;
    return true;
  });
  EXPECT_EQ(n, 17956u);
  SpaceSize size = s.size();
  EXPECT_TRUE(size.exact);
  EXPECT_EQ(size.count, 17956.0);
  EXPECT_EQ(brute_force(s).size(), 17956u);
}

TEST(Space, EnumerateStopsAndIsLexicographic) {
  Space s = mixed_space();
  auto all = s.enumerate_all();
  auto brute = brute_force(s);
  ASSERT_EQ(all.size(), brute.size());
  EXPECT_EQ(all, brute);  // the brute force walks in the same lexicographic index order
  std::size_t seen = 0;
  s.enumerate([&](const Config&) { return ++seen < 5; });
  EXPECT_EQ(seen, 5u);
}

// Random small spaces with random constraints: pruned enumeration, size(), and every sampler
// agree with brute force.
TEST(Space, RandomSpacesMatchBruteForce) {
  std::mt19937_64 rng(2024);
  const std::vector<std::string> templates = {
      "{0} * {1} <= {k}", "{0} % {1} == 0", "{0} + {1} != {k}", "{0} >= {1} or {2} < {k}",
      "({0} * {2}) / {1} <= {k}", "{0} in [1, 2, 4] or {1} > {2}", "{0} // 2 != {1} % 3",
      "{0} * {1} <= {k} and {2} != {1} && {0} % 3 != {k} % 3", "1 <= {0} - {1} < {k}"};
  for (int trial = 0; trial < 40; ++trial) {
    int n = 2 + static_cast<int>(rng() % 4);
    std::vector<Parameter> params;
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) {
      std::string name = "p" + std::to_string(i);
      int count = 1 + static_cast<int>(rng() % 5);
      std::vector<Value> values;
      for (int k = 0; k < count; ++k) values.emplace_back(static_cast<int>(rng() % 9));
      Value def = values[0];
      params.push_back(Parameter::list(name, values, def));
      names.push_back(name);
    }
    std::vector<Constraint> constraints;
    int nc = static_cast<int>(rng() % 4);
    for (int c = 0; c < nc; ++c) {
      std::string t = templates[rng() % templates.size()];
      for (int slot = 0; slot < 3; ++slot) {
        std::string key = "{" + std::to_string(slot) + "}";
        for (std::size_t pos; (pos = t.find(key)) != std::string::npos;)
          t.replace(pos, key.size(), names[rng() % names.size()]);
      }
      for (std::size_t pos; (pos = t.find("{k}")) != std::string::npos;)
        t.replace(pos, 3, std::to_string(rng() % 12));
      constraints.push_back(constraint(t.c_str()));
    }
    Space s(params, constraints);
    auto brute = brute_force(s);
    auto all = s.enumerate_all();
    ASSERT_EQ(all, brute) << "trial " << trial;
    EXPECT_EQ(s.size().count, static_cast<double>(brute.size()));
    EXPECT_TRUE(s.size().exact);
    std::set<Config, std::function<bool(const Config&, const Config&)>> valid(
        brute.begin(), brute.end(),
        [&](const Config& a, const Config& b) { return s.key(a) < s.key(b); });
    for (auto method : {SamplingMethod::Auto, SamplingMethod::Probe, SamplingMethod::Backtrack}) {
      if (brute.empty()) {
        EXPECT_THROW(s.random_valid(rng, method), UserError);
        continue;
      }
      for (int k = 0; k < 20; ++k) {
        Config c = s.random_valid(rng, method);
        EXPECT_TRUE(valid.count(c)) << s.key(c);
      }
    }
  }
}

// Chi-square against uniform over the valid configs of a small constrained space.
double chi_square(const Space& s, SamplingMethod method, int draws, std::uint64_t seed) {
  auto all = s.enumerate_all();
  std::map<std::string, int> counts;
  for (const auto& c : all) counts[s.key(c)] = 0;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < draws; ++i) {
    Config c = s.random_valid(rng, method);
    auto it = counts.find(s.key(c));
    EXPECT_NE(it, counts.end()) << s.key(c);
    if (it != counts.end()) ++it->second;
  }
  double expected = static_cast<double>(draws) / static_cast<double>(all.size());
  double chi = 0;
  for (const auto& [key, n] : counts) chi += (n - expected) * (n - expected) / expected;
  return chi;
}

Space lopsided_space() {
  // Valid configs are unevenly spread over A's values: A=1 has 16 completions, A=8 only one,
  // which is what biases naive depth-first samplers.
  std::vector<Parameter> p;
  p.push_back(Parameter::list("A", ints({1, 2, 4, 8}), 1));
  p.push_back(Parameter::list("B", ints({1, 2, 3, 4}), 1));
  p.push_back(Parameter::list("C", ints({1, 2, 3, 4}), 1));
  return Space(std::move(p), {constraint("A * B <= 4 and A * C <= 4 or A == 8 and B == 1 and C == 1")});
}

TEST(Space, RandomValidIsUniform) {
  Space s = lopsided_space();
  std::size_t n = s.enumerate_all().size();
  ASSERT_EQ(n, 16u + 4u + 1u + 1u);
  // 21 degrees of freedom: the 0.999 quantile is about 46.8.
  EXPECT_LT(chi_square(s, SamplingMethod::Auto, 22000, 1), 46.8);
  EXPECT_LT(chi_square(s, SamplingMethod::Enumerated, 22000, 2), 46.8);
  EXPECT_LT(chi_square(s, SamplingMethod::Probe, 22000, 3), 46.8);
  // The plain backtracking sampler is biased on this space (A=8's lone config gets ~1/4 of
  // the draws): the reason it is only a fallback.
  EXPECT_GT(chi_square(s, SamplingMethod::Backtrack, 22000, 4), 1000.0);
}

TEST(Space, RandomValidIsReproducible) {
  Space s = testing::clblast_gemm_space();
  std::mt19937_64 a(99), b(99);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s.random_valid(a), s.random_valid(b));
  std::mt19937_64 c(7), d(7);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(s.random_valid(c, SamplingMethod::Probe), s.random_valid(d, SamplingMethod::Probe));
}

// A space far too large to enumerate, with few valid points, to exercise the probe path.
Space sparse_space() {
  std::vector<Parameter> p;
  for (int i = 0; i < 8; ++i)
    p.push_back(Parameter::int_range("p" + std::to_string(i), 0, 15, 1, 0));
  std::vector<Constraint> c;
  c.push_back(constraint("(p0 + p7) % 16 == 3"));
  c.push_back(constraint("(p1 * p6) % 16 == 5"));
  c.push_back(constraint("p2 + p5 == 15"));
  c.push_back(constraint("p3 % 4 == p4 % 4 if p3 > 0 else p4 == 0"));
  c.push_back(constraint("p0 * p1 * p2 * p3 * p4 * p5 * p6 * p7 % 7 == 1"));
  return Space(std::move(p), std::move(c));
}

TEST(Space, SparseSpacesSampleValidConfigs) {
  Space s = sparse_space();
  std::mt19937_64 rng(5);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    Config c = s.random_valid(rng);
    ASSERT_TRUE(s.is_valid(c)) << s.key(c);
    seen.insert(s.key(c));
  }
  EXPECT_GT(seen.size(), 150u);  // not stuck on a few configs
  SpaceSize size = s.size();
  EXPECT_GT(size.count, 0.0);
  EXPECT_LT(size.count / s.grid_size(), 1e-4);
}

// One constraint reading every parameter: nothing prunes before the last level, so most probes
// die and the sampler must fall back to its bounded backtracking rounds.
Space global_space(int n, const char* rest) {
  std::vector<Parameter> p;
  std::string sum;
  std::int64_t weight = 1;
  for (int i = 0; i < n; ++i) {
    p.push_back(Parameter::int_range("p" + std::to_string(i), 0, 15, 1, 0));
    sum += (i ? " + " : "") + std::to_string(weight) + " * p" + std::to_string(i);
    weight *= 16;
  }
  std::string text = "(" + sum + ") " + rest;
  return Space(std::move(p), {Constraint{Expr::parse(text), {}}});
}

TEST(Space, SamplingSurvivesConstraintsThatReadEverything) {
  Space s = global_space(6, "% 1000003 == 7");  // about 17 valid of 16.7 million
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(s.is_valid(s.random_valid(rng)));
}

TEST(Space, SamplingGivesUpClearlyOnHugeEmptySpaces) {
  // Unsatisfiable, but too large to prove so by enumeration: a bounded search, then a clear
  // error instead of a hang.
  Space s = global_space(8, "< 0");
  std::mt19937_64 rng(1);
  expect_user_error([&] { s.random_valid(rng); }, "could not find a valid configuration");
}

TEST(Space, SizeEstimatedWhenTooLargeToCount) {
  std::vector<Parameter> p;
  for (int i = 0; i < 12; ++i)
    p.push_back(Parameter::int_range("q" + std::to_string(i), 0, 15, 1, 0));
  Space s(std::move(p), {constraint("q0 % 2 == 0"), constraint("q3 < 4")});
  SpaceSize size = s.size();
  EXPECT_FALSE(size.exact);
  double truth = std::pow(16.0, 12) / 2 / 4;
  EXPECT_NEAR(size.count / truth, 1.0, 0.02);
  EXPECT_EQ(s.size().count, size.count);  // computed once, stable
  std::mt19937_64 rng(1);
  EXPECT_TRUE(s.is_valid(s.random_valid(rng)));
  EXPECT_THROW(s.random_valid(rng, SamplingMethod::Enumerated), UserError);
}

TEST(Space, EmptySpaces) {
  Space s({Parameter::list("A", ints({1, 2}), 1), Parameter::list("B", ints({1, 2}), 1)},
          {constraint("A + B > 10", "spec.toml:3")});
  std::mt19937_64 rng(1);
  expect_user_error([&] { s.random_valid(rng); }, "no configuration satisfies");
  expect_user_error([&] { s.random_valid(rng, SamplingMethod::Probe); }, "A + B > 10");
  EXPECT_THROW(s.random_valid(rng, SamplingMethod::Backtrack), UserError);
  EXPECT_FALSE(s.repair(s.default_config()).has_value());
  EXPECT_TRUE(s.enumerate_all().empty());
  EXPECT_EQ(s.size().count, 0.0);
  EXPECT_TRUE(s.size().exact);
  EXPECT_TRUE(s.neighbours(s.default_config()).empty());

  Space never({Parameter::list("A", ints({1, 2}), 1)}, {constraint("1 > 2")});
  EXPECT_TRUE(never.enumerate_all().empty());
  EXPECT_THROW(never.random_valid(rng), UserError);

  // No parameters at all: exactly one (empty) config.
  Space none({}, {});
  EXPECT_EQ(none.enumerate_all().size(), 1u);
  EXPECT_EQ(none.size().count, 1.0);
  EXPECT_EQ(none.key(none.default_config()), "");
}

TEST(Space, NeighboursMoveOneStep) {
  Space s({Parameter::list("A", ints({1, 2, 4, 8}), 2), Parameter::list("B", ints({1, 2, 3}), 1),
           Parameter::list("L", {Value("x"), Value("y"), Value("z")}, Value("x"))},
          {});
  Config c = s.parse_key("A=2,B=1,L=x");
  auto r1 = s.neighbours(c, 1);
  // A: 1 or 4; B: 2; L: y or z.
  EXPECT_EQ(r1.size(), 5u);
  std::set<std::string> keys;
  for (const auto& n : r1) keys.insert(s.key(n));
  EXPECT_TRUE(keys.count("A=1,B=1,L=x"));
  EXPECT_TRUE(keys.count("A=4,B=1,L=x"));
  EXPECT_TRUE(keys.count("A=2,B=2,L=x"));
  EXPECT_TRUE(keys.count("A=2,B=1,L=z"));
  EXPECT_FALSE(keys.count("A=8,B=1,L=x"));
  auto r2 = s.neighbours(c, 2);
  // Singles (5) + pairs: A*B 2, A*L 4, B*L 2.
  EXPECT_EQ(r2.size(), 13u);
  std::set<std::string> keys2;
  for (const auto& n : r2) {
    EXPECT_NE(n, c);
    EXPECT_LE(s.diff(n, c).size(), 2u);
    keys2.insert(s.key(n));
  }
  EXPECT_EQ(keys2.size(), r2.size());  // no duplicates
  EXPECT_TRUE(s.neighbours(c, 0).empty());
}

TEST(Space, NeighboursAreValidOnly) {
  Space s = testing::clblast_gemm_space();
  Config c = s.parse_key("MWG=64,NWG=64,MDIMC=16,NDIMC=16,MDIMA=16,NDIMB=16,VWM=2,VWN=2");
  ASSERT_TRUE(s.is_valid(c));
  auto nb = s.neighbours(c, 2);
  EXPECT_FALSE(nb.empty());
  for (const auto& n : nb) {
    EXPECT_TRUE(s.is_valid(n)) << s.key(n);
    EXPECT_LE(s.diff(n, c).size(), 2u);
  }
}

TEST(Space, RepairSnapsOutOfRangeValues) {
  Space s = mixed_space();
  Config c = s.default_config();
  c[0] = Value(100);    // nearest power of two in 16..128: 128
  c[1] = Value(2.4);    // nearest of 1..4: 2
  c[2] = Value("jik");  // not allowed: the default
  c[3] = Value(1);      // 1 names true
  c[4] = Value(0.6);    // nearest: 0.5
  auto r = s.repair(c);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(s.key(*r), "BM=128,UNROLL=2,LOOP=ijk,PAD=true,ALPHA=0.5");
  Config text = s.default_config();
  text[0] = Value("32");  // a number written as text (LLMs do this)
  EXPECT_EQ((*s.repair(text))[0], Value(32));
  EXPECT_EQ(*s.repair(s.default_config()), s.default_config());  // valid stays put
}

TEST(Space, RepairFindsANearbyValidConfig) {
  Space s = testing::clblast_gemm_space();
  // MWG=16 with MDIMC=16 and VWM=8 breaks MWG % (MDIMC * VWM) == 0 and more.
  Config bad = s.parse_key("MWG=16,NWG=64,MDIMC=16,NDIMC=16,MDIMA=16,NDIMB=16,VWM=8,VWN=2");
  ASSERT_FALSE(s.is_valid(bad));
  auto r = s.repair(bad);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(s.is_valid(*r));
  EXPECT_LE(s.diff(*r, bad).size(), 3u) << s.key(*r);
  // Deterministic.
  EXPECT_EQ(*s.repair(bad), *r);
  // Repairs of random garbage are always valid.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    Config g = s.default_config();
    for (std::size_t p = 0; p < g.size(); ++p) g[p] = Value(static_cast<int>(rng() % 200) - 20);
    auto fixed = s.repair(g);
    ASSERT_TRUE(fixed.has_value());
    EXPECT_TRUE(s.is_valid(*fixed)) << s.key(*fixed);
  }
}

TEST(Space, RepairInASparseSpace) {
  Space s = sparse_space();
  Config c = s.default_config();
  auto r = s.repair(c);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(s.is_valid(*r));
}

TEST(Space, EncodeIsInUnitRangeAndLogScalesPowersOfTwo) {
  Space s = mixed_space();
  for (const auto& c : s.enumerate_all()) {
    for (double x : s.encode(c)) {
      EXPECT_GE(x, 0.0);
      EXPECT_LE(x, 1.0);
    }
  }
  Config c = s.parse_key("BM=32,UNROLL=3,LOOP=ikj,PAD=true,ALPHA=2.0");
  auto e = s.encode(c);
  EXPECT_DOUBLE_EQ(e[0], 1.0 / 3.0);  // log2: 16 -> 0, 32 -> 1/3, 128 -> 1
  EXPECT_DOUBLE_EQ(e[1], 2.0 / 3.0);  // index 2 of 4
  EXPECT_DOUBLE_EQ(e[2], 0.5);
  EXPECT_DOUBLE_EQ(e[3], 1.0);
  EXPECT_DOUBLE_EQ(e[4], 1.0);
  // A list of powers of two is log-scaled too.
  Space l({Parameter::list("V", ints({1, 2, 4, 8, 16}), 1), Parameter::list("W", ints({1, 3, 9}), 1)},
          {});
  auto f = l.encode(l.parse_key("V=4,W=3"));
  EXPECT_DOUBLE_EQ(f[0], 0.5);
  EXPECT_DOUBLE_EQ(f[1], 0.5);
  Config out = l.default_config();
  out[0] = Value(1000);  // out of range: encoded as its nearest value
  EXPECT_DOUBLE_EQ(l.encode(out)[0], 1.0);
}

TEST(Space, CopiesShareStateAndDefaultSpaceIsUsable) {
  Space s = testing::clblast_gemm_space();
  Space copy = s;
  EXPECT_EQ(copy.size().count, 17956.0);
  EXPECT_EQ(&copy.params(), &s.params());  // shared, not copied
  Space empty;
  EXPECT_TRUE(empty.params().empty());
  EXPECT_EQ(empty.grid_size(), 1.0);
  EXPECT_EQ(empty.index_of("A"), -1);
}

}  // namespace
}  // namespace tuna
