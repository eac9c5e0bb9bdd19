#include "store/sqlite_handle.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <limits>
#include <utility>

namespace tuna::sqlite {
namespace {

// The file a connection works on, for messages; SQLite knows it even when only a statement is
// at hand.
std::string file_of(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name && *name ? name : "(unknown database)";
}

[[noreturn]] void throw_error(sqlite3* db, int code, std::string_view what) {
  const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(fmt::format("database {}: {}: {}", file_of(db), what, detail), code & 0xff);
}

}  // namespace

Database::Database(const std::filesystem::path& path, Mode mode) : path_(path) {
  const int flags =
      mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // Even a failed open allocates a handle (for the message); read it, then release it.
    std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(fmt::format("cannot open database {}: {}", path.string(), detail), rc & 0xff);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  // sqlite3_close_v2 defers the close until every statement is finalised, so destruction order
  // between a Database and its statements cannot leak or crash.
  if (db_) sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void Database::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string detail = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(fmt::format("database {}: {}: {}", path_.string(), sql, detail), rc & 0xff);
  }
}

std::int64_t Database::query_int(std::string_view sql) const {
  Statement stmt(*this, sql);
  TUNA_ASSERT(stmt.step(), fmt::format("query returned no row: {}", sql));
  return stmt.column_int64(0);
}

void Database::set_busy_timeout_ms(int ms) { sqlite3_busy_timeout(db_, ms); }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

void Database::fail(int code, std::string_view what) const { throw_error(db_, code, what); }

Statement::Statement(const Database& db, std::string_view sql) {
  int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, fmt::format("preparing `{}`", sql));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

void Statement::fail(int code, std::string_view what) const {
  std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  throw_error(sqlite3_db_handle(stmt_), code, fmt::format("{} `{}`", what, sql));
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) fail(rc, fmt::format("binding parameter {} of", index));
}

Statement& Statement::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check_bind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  check_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bind_id_or_null(int index, std::int64_t value) {
  return value == 0 ? bind_null(index) : bind(index, value);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Reset so a cached statement stays usable after the error, but read the message first:
  // resetting may replace it.
  try {
    fail(rc, "running");
  } catch (...) {
    sqlite3_reset(stmt_);
    throw;
  }
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

std::string Statement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (!text) return {};
  // Length from SQLite rather than strlen: text may hold NUL characters.
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index));
  return std::string(reinterpret_cast<const char*>(text), size);
}

Transaction::Transaction(Database& db) : db_(&db) { db_->exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  // Best effort: if SQLite already rolled back (after some I/O errors) this fails harmlessly.
  sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_->exec("COMMIT");
  done_ = true;
}

double Columns::real_or_nan() {
  const int index = next_++;
  return statement_.column_is_null(index) ? std::numeric_limits<double>::quiet_NaN()
                                          : statement_.column_double(index);
}

}  // namespace tuna::sqlite
