#pragma once
// What an application reads from a store at run time (tuna::Lookup): the fastest correct result
// of every (kernel, problem, device), without a spec. Parameter names come from the stored keys
// (`BM=64,BN=128`), typed values from the stored JSON of each config (`[64,128]`).
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tuna/store.hpp"
#include "tuna/value.hpp"

namespace tuna::store {

struct BestResult {
  StoreContext context;
  std::string config_key;
  std::map<std::string, Value> values;  // parameter name -> value
  double median_ms = 0;
  double finished_at = 0;  // seconds since the Unix epoch
};

// Opens the store at `db_path` read-only (a missing file is an error, never created; nothing is
// migrated or written) and returns the best ok result of each context, one per context. Throws
// UserError naming the file when it is missing, not a tuna store, or holds a config that does
// not match its key.
std::vector<BestResult> best_results(const std::filesystem::path& db_path);

}  // namespace tuna::store
