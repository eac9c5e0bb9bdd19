#pragma once
// tuna's own store as a source of recordings (for `tuna export --format t4|kt-cache` and for
// replaying a space tuna measured), and the other way: a recording put into the store.
#include <filesystem>
#include <vector>

#include "store/import_recording.hpp"
#include "tuna/store.hpp"

namespace tuna::store {

// Every context with at least one result in the database at `db_path`.
std::vector<StoreContext> all_contexts(const std::filesystem::path& db_path);
// Whether the file starts with SQLite's header (a tuna store, or some other database).
bool is_sqlite_file(const std::filesystem::path& file);

// The results of one context as a recording (format "tuna"). Throws UserError when the context
// holds no results.
Recording recording_from_store(const std::filesystem::path& db_path, const StoreContext& ctx);

// The context under which `tuna import` stores a recording: the recorded kernel (named after the
// file when the recording does not name it), its problem, and the recorded device, with the
// backend "sim" and a hash of the recording's parameters and restrictions as the spec hash.
StoreContext recording_context(const Recording& recording, const Space& space);

// Puts every entry of `recording` into `store` as one run ("import"), and returns the run id.
std::int64_t put_recording(Store& store, const Recording& recording, const Space& space);

}  // namespace tuna::store
