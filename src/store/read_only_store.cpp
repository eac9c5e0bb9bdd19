#include "store/read_only_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "tuna/errors.hpp"

namespace tuna::store {

sqlite::Database open_store_read_only(const std::filesystem::path& path, std::string_view remedy) {
  // Checked first for the message: the read-only open would fail too, less helpfully.
  if (!std::filesystem::is_regular_file(path))
    throw UserError(fmt::format("no tuna store at {}; {}", path.string(), remedy));
  try {
    sqlite::Database db(path, sqlite::Database::Mode::ReadOnly);
    db.set_busy_timeout_ms(sqlite::kBusyTimeoutMs);
    // SQLite reads the file's header only now: a file that is no database fails here.
    if (db.query_int("PRAGMA user_version") < 1)
      throw UserError(
          fmt::format("{} is an SQLite database but not a tuna store (it has no tuna schema); {}",
                      path.string(), remedy));
    return db;
  } catch (const sqlite::SqliteError& e) {
    if (e.code() != SQLITE_NOTADB && e.code() != SQLITE_CORRUPT) throw;
    throw UserError(fmt::format("{} is not a tuna store, or is damaged (SQLite says: {}); {}",
                                path.string(), sqlite3_errstr(e.code()), remedy));
  }
}

}  // namespace tuna::store
