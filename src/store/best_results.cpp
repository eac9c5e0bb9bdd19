#include "store/best_results.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/codec.hpp"
#include "store/read_only_store.hpp"
#include "store/result_codec.hpp"
#include "store/result_query.hpp"
#include "store/sqlite_handle.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {
namespace {

sqlite::Database open_for_reading(const std::filesystem::path& db_path) {
  return open_store_read_only(
      db_path, fmt::format("tune first (`tuna tune SPEC --db {}`), pass the file `tuna tune` "
                           "wrote (--db, TUNA_DB), or look up an exported JSON file",
                           db_path.string()));
}

std::map<std::string, Value> stored_values(const std::filesystem::path& db_path,
                                           const BestResult& best, const std::string& json_text) {
  nlohmann::json values = nlohmann::json::parse(json_text, nullptr, false);
  std::vector<std::string> names = config_key_names(best.config_key);
  if (!values.is_array() || values.size() != names.size())
    throw UserError(
        fmt::format("{}: result {} of {}: its stored config does not match its "
                    "key; the store was edited by hand",
                    db_path.string(), best.config_key, best.context.kernel_name));
  std::map<std::string, Value> named;
  for (std::size_t i = 0; i < names.size(); ++i)
    named[names[i]] = codec::value_from_json(values[i]);
  return named;
}

}  // namespace

std::vector<BestResult> best_results(const std::filesystem::path& db_path) {
  sqlite::Database db = open_for_reading(db_path);
  // SQLite gives the bare columns of the row where min() is reached: the best result of each
  // context in one pass.
  sqlite::Statement query(
      db, fmt::format("SELECT {}, x.config_key, x.config_json, min(x.median_ms), x.finished_at "
                      "FROM results x{} "
                      "WHERE x.status = 'ok' AND x.median_ms IS NOT NULL "
                      "GROUP BY x.kernel_id, x.problem_id, x.device_id",
                      kContextColumns, kContextJoins));
  std::vector<BestResult> best;
  while (query.step()) {
    BestResult result;
    result.context = read_context(query, 0);
    result.config_key = query.column_text(6);
    result.median_ms = query.column_double(8);
    result.finished_at = query.column_double(9);
    result.values = stored_values(db_path, result, query.column_text(7));
    best.push_back(std::move(result));
  }
  return best;
}

}  // namespace tuna::store
