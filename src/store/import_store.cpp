// tuna's own store as a recording: the results of one context, read without a spec (the names
// come from the stored keys, the values from the stored JSON of each config).
#include "store/import_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "store/import_json.hpp"
#include "store/result_codec.hpp"
#include "store/sqlite_handle.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

using sqlite::Statement;

constexpr const char* kJoin =
    " FROM results x JOIN kernels k ON k.id = x.kernel_id"
    " JOIN problems p ON p.id = x.problem_id JOIN devices d ON d.id = x.device_id";

std::vector<std::string> names_of_key(const std::string& key) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t comma = key.find(',', start);
    std::string item =
        key.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t eq = item.find('=');
    if (eq != std::string::npos) names.push_back(item.substr(0, eq));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

RecordedEntry entry_of(const Result& r, std::vector<Value> values) {
  RecordedEntry e;
  e.values = std::move(values);
  e.status = r.status;
  e.error_class = r.error_class;
  e.times_ms = r.times_ms;
  e.time_ms = r.median_ms;
  e.compile_ms = r.compile_ms;
  auto get = [&](const char* k) {
    auto it = r.resources.find(k);
    return it == r.resources.end() ? 0.0 : it->second;
  };
  e.benchmark_ms = get("benchmark_ms");
  e.verification_ms = get("verification_ms");
  e.framework_ms = get("framework_ms");
  e.device = r.device;
  return e;
}

// The source is read as it is, never migrated (it may be another tuna's file, or read-only), so
// a store older than schema 2 has no device column and its results carry none.
bool has_device_column(const sqlite::Database& db) {
  return db.query_int("SELECT count(*) FROM pragma_table_info('results') WHERE name = 'device'") >
         0;
}

}  // namespace

std::vector<StoreContext> all_contexts(const std::filesystem::path& db_path) {
  sqlite::Database db(db_path);
  Statement q(db, std::string("SELECT DISTINCT k.name, k.spec_hash, p.text, d.device_id, d.name, "
                              "d.backend") +
                      kJoin + " ORDER BY k.name, d.device_id, p.text");
  std::vector<StoreContext> out;
  while (q.step())
    out.push_back({q.column_text(0), q.column_text(1), q.column_text(2), q.column_text(3),
                   q.column_text(4), q.column_text(5)});
  return out;
}

Recording recording_from_store(const std::filesystem::path& db_path, const StoreContext& ctx) {
  sqlite::Database db(db_path);
  const char* device = has_device_column(db) ? "x.device" : "''";
  Statement q(db, fmt::format("SELECT x.config_key, x.config_json, x.status, x.error_class, "
                              "x.message, x.compile_ms, x.times_json, x.median_ms, "
                              "x.max_abs_error, x.resources_json, x.started_at, x.finished_at, {}",
                              device) +
                      kJoin +
                      " WHERE k.name = ?1 AND k.spec_hash = ?2 AND p.text = ?3 AND "
                      "d.device_id = ?4 ORDER BY x.id");
  q.bind(1, ctx.kernel_name).bind(2, ctx.spec_hash).bind(3, ctx.problem).bind(4, ctx.device_id);
  Recording rec;
  rec.format = "tuna";
  rec.file = db_path;
  rec.kernel_name = ctx.kernel_name;
  rec.device_name = ctx.device_name;
  rec.problem = ctx.problem;
  while (q.step()) {
    ResultRow row;
    row.config_key = q.column_text(0);
    row.config_json = q.column_text(1);
    row.status = q.column_text(2);
    row.error_class = q.column_text(3);
    row.message = q.column_text(4);
    row.compile_ms = q.column_double(5);
    row.times_json = q.column_text(6);
    row.median_ms = q.column_double(7);
    row.max_abs_error = q.column_double(8);
    row.resources_json = q.column_text(9);
    row.started_at = q.column_double(10);
    row.finished_at = q.column_double(11);
    row.device = q.column_text(12);
    std::optional<Result> r = decode_result(row);
    if (!r) continue;  // a status written by a newer tuna
    const std::string where = fmt::format("{}: result {}", db_path.string(), row.config_key);
    if (rec.param_names.empty()) {
      rec.param_names = names_of_key(row.config_key);
      rec.param_values.resize(rec.param_names.size());
    }
    nlohmann::ordered_json values = nlohmann::ordered_json::parse(row.config_json, nullptr, false);
    if (!values.is_array() || values.size() != rec.param_names.size() ||
        names_of_key(row.config_key) != rec.param_names)
      throw UserError(where + ": its parameters differ from the context's other results");
    std::vector<Value> config;
    for (std::size_t i = 0; i < values.size(); ++i) {
      config.push_back(value_from_json(values[i], where));
      add_distinct(rec.param_values[i], config.back());
    }
    rec.entries.push_back(entry_of(*r, std::move(config)));
  }
  if (rec.entries.empty())
    throw UserError(fmt::format("{} holds no results for {} on {}", db_path.string(),
                                ctx.kernel_name, ctx.device_name));
  return rec;
}

}  // namespace tuna::store
