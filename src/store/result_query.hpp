#pragma once
// The SQL every reader of the results table shares: how a result row joins its context (kernel,
// problem, device), which columns make a StoreContext and a ResultRow, and reading them back.
// The schema's names live in src/store/ only (schema.cpp writes them, these read them).
#include <string>

#include "store/result_codec.hpp"
#include "store/sqlite_handle.hpp"
#include "tuna/store.hpp"

namespace tuna::store {

// Joins a row `x` of results or runs to its context rows `k` (kernels), `p` (problems) and `d`
// (devices): "FROM results x" + kContextJoins.
inline constexpr const char* kContextJoins =
    " JOIN kernels k ON k.id = x.kernel_id"
    " JOIN problems p ON p.id = x.problem_id JOIN devices d ON d.id = x.device_id";

// Selects one context; bind it with bind_context (parameters ?1 to ?4).
inline constexpr const char* kWhereContext =
    " WHERE k.name = ?1 AND k.spec_hash = ?2 AND p.text = ?3 AND d.device_id = ?4";

// A StoreContext's columns, in its member order.
inline constexpr const char* kContextColumns =
    "k.name, k.spec_hash, p.text, d.device_id, d.name, d.backend";

// A ResultRow's columns, in its member order. `device_column` is
// "x.device", or "''" for a store older than schema 2 read without migrating it.
std::string result_columns(const char* device_column = "x.device");

void bind_context(sqlite::Statement& statement, const StoreContext& context);

// The context in the six columns from `first` on (kContextColumns).
StoreContext read_context(const sqlite::Statement& statement, int first);

// The row in the columns from 0 on (result_columns()). A NULL median (SQLite's NaN) reads as NaN.
ResultRow read_result_row(const sqlite::Statement& statement);

}  // namespace tuna::store
