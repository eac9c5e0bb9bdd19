// tuna's own store as a recording: the results of one context, read without a spec (the names
// come from the stored keys, the values from the stored JSON of each config).
#include "store/import_store.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/import_json.hpp"
#include "store/read_only_store.hpp"
#include "store/result_codec.hpp"
#include "store/result_query.hpp"
#include "store/sqlite_handle.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

bool is_sqlite_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  return in && std::string(head, 15) == "SQLite format 3";
}

namespace {

using sqlite::Statement;

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

// What a user who passed a damaged or foreign file as a recording or prior can do instead.
constexpr std::string_view kRemedy =
    "pass a tuna store that `tuna tune` wrote, or a recording (Kernel Tuner cache, T4, KTT)";

// The source is read as it is, never migrated (it may be another tuna's file, or read-only), so
// a store older than schema 2 has no device column and its results carry none.
bool has_device_column(const sqlite::Database& db) {
  return db.query_int("SELECT count(*) FROM pragma_table_info('results') WHERE name = 'device'") >
         0;
}

}  // namespace

std::vector<StoreContext> all_contexts(const std::filesystem::path& db_path) {
  sqlite::Database db = open_store_read_only(db_path, kRemedy);
  Statement q(
      db, fmt::format("SELECT DISTINCT {} FROM results x{} ORDER BY k.name, d.device_id, p.text",
                      kContextColumns, kContextJoins));
  std::vector<StoreContext> out;
  while (q.step()) out.push_back(read_context(q, 0));
  return out;
}

Recording recording_from_store(const std::filesystem::path& db_path, const StoreContext& ctx) {
  sqlite::Database db = open_store_read_only(db_path, kRemedy);
  const char* device = has_device_column(db) ? "x.device" : "''";
  Statement q(db, fmt::format("SELECT {} FROM results x{}{} ORDER BY x.id", result_columns(device),
                              kContextJoins, kWhereContext));
  bind_context(q, ctx);
  Recording rec;
  rec.format = "tuna";
  rec.file = db_path;
  rec.kernel_name = ctx.kernel_name;
  rec.device_name = ctx.device_name;
  rec.problem = ctx.problem;
  while (q.step()) {
    ResultRow row = read_result_row(q);
    // Recordings have always read a missing median (a failed result) as 0.
    if (std::isnan(row.median_ms)) row.median_ms = 0;
    std::optional<Result> r = decode_result(row);
    if (!r) continue;  // a status written by a newer tuna
    const std::string where = fmt::format("{}: result {}", db_path.string(), row.config_key);
    if (rec.param_names.empty()) {
      rec.param_names = config_key_names(row.config_key);
      rec.param_values.resize(rec.param_names.size());
    }
    nlohmann::ordered_json values = nlohmann::ordered_json::parse(row.config_json, nullptr, false);
    if (!values.is_array() || values.size() != rec.param_names.size() ||
        config_key_names(row.config_key) != rec.param_names)
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
