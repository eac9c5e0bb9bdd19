// Lookup::from_store: the best correct result of every (kernel, problem, device) in a tuna store,
// read without a spec. Parameter names come from the stored keys (`BM=64,BN=128`), typed values
// from the stored JSON of each config (`[64,128]`), so no Space is needed at run time.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eval/codec.hpp"
#include "store/sqlite_handle.hpp"
#include "tuna/errors.hpp"
#include "tuna/lookup.hpp"

namespace tuna {
namespace {

// Names in key order. A string value holding ',' would split wrongly; the caller checks the
// count against the stored values, so such a key is reported rather than misread.
std::vector<std::string> key_names(const std::string& key) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start < key.size()) {
    std::size_t eq = key.find('=', start);
    if (eq == std::string::npos) break;
    names.push_back(key.substr(start, eq - start));
    std::size_t comma = key.find(',', eq);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

void require_tuna_store(const sqlite::Database& db) {
  if (db.query_int("PRAGMA user_version") < 1)
    throw UserError(fmt::format("{} is not a tuna results database (no tuna schema); pass the "
                                "file `tuna tune` wrote (--db, TUNA_DB) or an exported JSON file",
                                db.path().string()));
}

}  // namespace

Lookup Lookup::from_store(const std::filesystem::path& db_path) {
  // sqlite would create a missing file; a lookup must never leave an empty database behind.
  if (!std::filesystem::is_regular_file(db_path))
    throw UserError(fmt::format("no tuna store at {}; tune first (`tuna tune SPEC --db {}`) or "
                                "look up an exported JSON file",
                                db_path.string(), db_path.string()));
  sqlite::Database db(db_path);
  db.set_busy_timeout_ms(10000);
  require_tuna_store(db);
  // SQLite gives the bare columns of the row where min() is reached: the best result of each
  // context in one pass.
  sqlite::Statement q(db,
                      "SELECT k.name, p.text, d.device_id, d.name, d.backend, x.config_key, "
                      "x.config_json, min(x.median_ms), x.finished_at "
                      "FROM results x JOIN kernels k ON k.id = x.kernel_id "
                      "JOIN problems p ON p.id = x.problem_id JOIN devices d ON d.id = x.device_id "
                      "WHERE x.status = 'ok' AND x.median_ms IS NOT NULL "
                      "GROUP BY x.kernel_id, x.problem_id, x.device_id");
  Lookup out;
  while (q.step()) {
    TunedEntry e;
    e.kernel = q.column_text(0);
    e.problem = q.column_text(1);
    e.device_id = q.column_text(2);
    e.device_name = q.column_text(3);
    e.backend = q.column_text(4);
    e.key = q.column_text(5);
    e.median_ms = q.column_double(7);
    e.measured_at = q.column_double(8);
    nlohmann::json values = nlohmann::json::parse(q.column_text(6), nullptr, false);
    std::vector<std::string> names = key_names(e.key);
    if (!values.is_array() || values.size() != names.size())
      throw UserError(fmt::format("{}: result {} of {}: its stored config does not match its "
                                  "key; the store was edited by hand",
                                  db_path.string(), e.key, e.kernel));
    for (std::size_t i = 0; i < names.size(); ++i)
      e.values[names[i]] = codec::value_from_json(values[i]);
    out.entries_.push_back(std::move(e));
  }
  return out;
}

}  // namespace tuna
