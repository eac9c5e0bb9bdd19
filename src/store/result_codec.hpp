#pragma once
// Result <-> one row of the results table. Lists and maps (times, resources, the config's
// values) are stored as JSON text: readable in the sqlite3 shell, queryable with its JSON
// functions, and free of side tables that would make every put_result several inserts.
#include <optional>
#include <string>
#include <vector>

#include "tuna/result.hpp"

namespace tuna::store {

// The columns of a results row that come from the Result itself (not the context or the run).
struct ResultRow {
  std::string config_key;
  std::string config_json;  // the config's values in declaration order, e.g. [64,"vec",true]
  std::string status;
  std::string error_class;
  std::string message;
  double compile_ms = 0;
  std::string times_json;  // e.g. [0.51,0.5,0.52]; non-finite times as null
  double median_ms = 0;
  double max_abs_error = 0;
  std::string resources_json;  // e.g. {"registers":64,"shared_bytes":8192}
  std::string device;          // e.g. "cuda:1", "r2@node7/cuda:1"; '' in rows older than it
  double started_at = 0;
  double finished_at = 0;
};

ResultRow encode_result(const Result& result);

// The Result a row describes, with an empty config (only a Space can rebuild it from the key)
// and `reused` set, since it comes from the store. nullopt when the status is one this tuna does
// not know (written by a newer one). Throws UserError naming the key and the column when a JSON
// column is malformed (edited by hand).
std::optional<Result> decode_result(const ResultRow& row);

std::string config_to_json(const Config& config);

// The parameter names of a canonical config key, in order ("BM=64,BN=128" -> BM, BN). A string
// value holding ',' splits wrongly; callers check the count against the stored values.
std::vector<std::string> config_key_names(const std::string& key);

}  // namespace tuna::store
