#pragma once
// The CLBlast GEMM space of ../shared/datasets/README.md (82,944 grid points, 17,956 valid),
// built by hand: the space tests and bench/bench_space.cpp both need a real one of that size.
#include <utility>
#include <vector>

#include "support/int_values.hpp"
#include "tuna/expr.hpp"
#include "tuna/space.hpp"

namespace tuna::testing {

inline Space clblast_gemm_space() {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("MWG", ints({16, 32, 64, 128}), 64));
  p.push_back(Parameter::list("NWG", ints({16, 32, 64, 128}), 64));
  p.push_back(Parameter::list("KWG", ints({32}), 32));
  for (const char* n : {"MDIMC", "NDIMC", "MDIMA", "NDIMB"})
    p.push_back(Parameter::list(n, ints({8, 16, 32}), 8));
  p.push_back(Parameter::list("KWI", ints({2}), 2));
  p.push_back(Parameter::list("VWM", ints({1, 2, 4, 8}), 1));
  p.push_back(Parameter::list("VWN", ints({1, 2, 4, 8}), 1));
  p.push_back(Parameter::list("STRM", ints({0}), 0));
  p.push_back(Parameter::list("STRN", ints({0}), 0));
  p.push_back(Parameter::list("SA", ints({0, 1}), 0));
  p.push_back(Parameter::list("SB", ints({0, 1}), 0));
  p.push_back(Parameter::list("PRECISION", ints({32}), 32));
  std::vector<Constraint> c;
  for (const char* t : {"KWG % KWI == 0", "MWG % (MDIMC * VWM) == 0", "NWG % (NDIMC * VWN) == 0",
                        "MWG % (MDIMA * VWM) == 0", "NWG % (NDIMB * VWN) == 0",
                        "KWG % ((MDIMC * NDIMC) / MDIMA) == 0",
                        "KWG % ((MDIMC * NDIMC) / NDIMB) == 0"})
    c.push_back(Constraint{Expr::parse(t), {}});
  return Space(std::move(p), std::move(c));
}

}  // namespace tuna::testing
