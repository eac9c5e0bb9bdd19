#pragma once
// Where priors come from (docs/priors.md): a file the user names (a recording of the same kernel
// measured elsewhere, or a tuna store) and the other contexts of this kernel in the store
// (another device, another problem, an earlier version of the spec). Either way the measurements
// are mapped onto this run's Space by parameter name, so a recording made by another tuner, or
// before a parameter was added, still counts.
#include <cstddef>
#include <filesystem>
#include <vector>

#include "tuna/prior.hpp"
#include "tuna/space.hpp"
#include "tuna/store.hpp"

namespace tuna::store {

// The configs that ran correctly in `file`, expressed in `space`. The file is any recording
// read_recording() knows (Kernel Tuner cache, T4, KTT; gzipped or not) or a tuna store; of a
// store holding several contexts, the one with the most successful results valid in `space` is
// taken (the label says so). Parameters are matched by name and values by Value (4 == 4.0; a
// string "4" matches a number 4 and the other way round); a file parameter the space lacks is
// dropped (the fastest config per space key stays), a space parameter the file lacks is taken
// as its default (the label says so). Configs not valid in `space` are dropped. Throws UserError
// naming the file when it is missing or unreadable, or when nothing in it is valid in `space`.
Prior prior_from_file(const std::filesystem::path& file, const Space& space);

// The other contexts of `current.kernel_name` in `store` (another device, problem or spec hash)
// with at least `min_results` successful results valid in `space`, as priors, largest first, at
// most three. On the sim backend a context of the recording being replayed (the same device
// name, imported by `tuna import`) is the very data replayed, not knowledge from elsewhere, and
// is left out. Contexts that cannot be read (results of a newer tuna, say) are skipped.
std::vector<Prior> priors_from_store(const Store& store, const StoreContext& current,
                                     const Space& space, std::size_t min_results = 5);

// `prior` less the entries not valid in `space` (re-keyed in `space`): a prior read against the
// spec's parameters alone, before the device's constraints were known. Same label.
Prior restrict_prior(const Prior& prior, const Space& space);

}  // namespace tuna::store
