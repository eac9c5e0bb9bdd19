#pragma once
// Opening a tuna store that is only read, never written or migrated: a store given as a
// recording or a prior, or the one a deployed lookup reads. It may be another tuna's file, a
// read-only one, or not a store at all, and each of those must say so in words.
#include <filesystem>
#include <string_view>

#include "store/sqlite_handle.hpp"

namespace tuna::store {

// Opens `path` read-only, with the store's busy timeout. A missing file, a file that is not a
// database or is damaged, and a database without tuna's schema are UserErrors that name the
// file and end with `remedy` (what to pass instead).
sqlite::Database open_store_read_only(const std::filesystem::path& path, std::string_view remedy);

}  // namespace tuna::store
