#pragma once
// The tuna library's public API in one include (docs/package.md). Link tuna::tuna for all of it,
// or tuna::runtime for the run-time lookup alone (tuna/lookup.hpp and what it uses).
//
//   spec.hpp       KernelSpec: load_spec, parse_spec (spec.toml)      space.hpp  Space, Config
//   expr.hpp       the expression language                            value.hpp  Value
//   device.hpp     DeviceInfo                                         result.hpp Result, Status
//   backend.hpp    the Backend interface, make_backend                errors.hpp UserError
//   evaluator.hpp  Evaluator: compile, run and check configs          store.hpp  Store (SQLite)
//   search.hpp     the search protocol                                lookup.hpp Lookup
//   strategy.hpp   ask/tell strategies     driver.hpp  tune(): one tuning run
#include "tuna/backend.hpp"
#include "tuna/device.hpp"
#include "tuna/driver.hpp"
#include "tuna/errors.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/expr.hpp"
#include "tuna/lookup.hpp"
#include "tuna/prior.hpp"
#include "tuna/result.hpp"
#include "tuna/search.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"
#include "tuna/strategy.hpp"
#include "tuna/value.hpp"
