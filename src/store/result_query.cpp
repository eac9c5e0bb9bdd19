#include "store/result_query.hpp"

#include <fmt/format.h>

namespace tuna::store {

std::string result_columns(const char* device_column) {
  return fmt::format(
      "x.config_key, x.config_json, x.status, x.error_class, x.message, x.compile_ms, "
      "x.times_json, x.median_ms, x.max_abs_error, x.resources_json, {}, x.started_at, "
      "x.finished_at",
      device_column);
}

void bind_context(sqlite::Statement& statement, const StoreContext& context) {
  statement.bind(1, context.kernel_name).bind(2, context.spec_hash);
  statement.bind(3, context.problem).bind(4, context.device_id);
}

StoreContext read_context(const sqlite::Statement& statement, int first) {
  sqlite::Columns row(statement, first);
  return StoreContext{row.text(), row.text(), row.text(), row.text(), row.text(), row.text()};
}

ResultRow read_result_row(const sqlite::Statement& statement) {
  sqlite::Columns row(statement);  // in ResultRow's member order, as result_columns() lists them
  return ResultRow{row.text(), row.text(), row.text(),        row.text(), row.text(),
                   row.real(), row.text(), row.real_or_nan(), row.real(), row.text(),
                   row.text(), row.real(), row.real()};
}

}  // namespace tuna::store
