#pragma once
// Thin RAII wrappers over the SQLite C API: a connection, a prepared statement and a
// transaction. They own their handles and turn SQLite failures into SqliteError, which names the
// database file so that a user who sees it knows which file is at fault.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "tuna/errors.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tuna::sqlite {

// How long a connection waits for another connection's lock (Database::set_busy_timeout_ms):
// long enough to ride out another tuna process committing or checkpointing the same file,
// short enough that a file locked for good (a stuck shell session holding a write transaction)
// is reported.
inline constexpr int kBusyTimeoutMs = 10'000;

// A failure reported by SQLite. A UserError because what goes wrong with a database file (full
// disk, locked for too long, not a database) is the user's to fix; `code` is SQLite's primary
// result code so callers can tell the cases apart.
class SqliteError : public UserError {
 public:
  SqliteError(const std::string& message, int code) : UserError(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Database {
 public:
  enum class Mode {
    ReadWrite,  // creating the file when missing
    ReadOnly,   // never writing, never creating: a missing file fails to open
  };
  // Opens the file. Nothing is read from it yet: SQLite only notices a file that is not a
  // database on the first statement.
  explicit Database(const std::filesystem::path& path, Mode mode = Mode::ReadWrite);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  const std::filesystem::path& path() const { return path_; }

  // Runs one or more statements that return no rows of interest.
  void exec(std::string_view sql);
  // Runs a statement returning a single integer (PRAGMA user_version, SELECT count(*)).
  std::int64_t query_int(std::string_view sql) const;
  void set_busy_timeout_ms(int ms);
  std::int64_t last_insert_rowid() const;
  int changes() const;

  // Throws SqliteError for `code` with SQLite's message for this connection and `what`.
  [[noreturn]] void fail(int code, std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

class Statement {
 public:
  Statement(const Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  // Binds NULL when `value` is 0: the convention for optional foreign keys such as run ids.
  Statement& bind_id_or_null(int index, std::int64_t value);

  // Advances to the next row; false when the statement is done.
  bool step();
  // Steps a statement that must finish without returning rows (INSERT, UPDATE).
  void run();
  // Makes the statement ready to run again, clearing its bindings.
  void reset();

  // Columns are 0-based, as in SQLite. NULL reads as 0 or the empty string.
  bool column_is_null(int index) const;
  std::int64_t column_int64(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;

 private:
  void check_bind(int rc, int index);
  [[noreturn]] void fail(int code, std::string_view what) const;

  // Only the statement handle: its connection is found through it, so a statement never points
  // at a Database object that may have moved.
  sqlite3_stmt* stmt_ = nullptr;
};

// Reads a row's columns in order, from `first` on. The elements of a braced list are evaluated
// left to right, so a struct whose members follow the SELECT fills in one expression:
// `RunRecord{row.int64(), row.text(), ...}`.
class Columns {
 public:
  explicit Columns(const Statement& statement, int first = 0)
      : statement_(statement), next_(first) {}
  std::string text() { return statement_.column_text(next_++); }
  double real() { return statement_.column_double(next_++); }
  std::int64_t int64() { return statement_.column_int64(next_++); }
  // SQLite stores a NaN as NULL: read it back as NaN rather than as 0.
  double real_or_nan();

 private:
  const Statement& statement_;
  int next_;
};

// BEGIN IMMEDIATE ... COMMIT. Immediate, so the write lock is taken (waiting up to the busy
// timeout) at the start rather than when the first write upgrades a read lock, which in WAL mode
// fails at once with SQLITE_BUSY when another writer got there first. Rolls back when destroyed
// without commit(), e.g. while an exception unwinds.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database* db_;
  bool done_ = false;
};

}  // namespace tuna::sqlite
