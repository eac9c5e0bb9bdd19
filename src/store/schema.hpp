#pragma once
// The store's schema and its migrations. The version lives in the file header (PRAGMA
// user_version): 0 is a fresh file, N means migrations 0..N-1 have run. A release that changes
// the schema appends one migration and never edits an old one, so every older file can be
// brought up to date in place.
#include "store/sqlite_handle.hpp"

namespace tuna::store {

// The schema version this build of tuna writes and understands.
int schema_version_known();

// Brings the database up to schema_version_known(), each step in its own transaction, so
// several processes opening a fresh file at once migrate it exactly once. Throws UserError when
// the file holds a newer schema (tuna is too old for it) or is a SQLite file of some other
// program.
void migrate(sqlite::Database& db);

}  // namespace tuna::store
