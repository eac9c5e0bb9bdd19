#pragma once
// The leader's side of cluster mode (rank 0): gathers the followers before the run, and lets
// them go after it.
#include <memory>
#include <vector>

#include "cluster/mpi_session.hpp"
#include "eval/peer.hpp"
#include "tuna/spec.hpp"

namespace tuna::cluster {

// Waits for every follower's `joined` (or `failed`) message and returns one peer per follower.
// Throws UserError, after telling every follower to stop, when a rank could not start or runs a
// different spec (each rank reads the spec from its own file system).
std::vector<std::shared_ptr<eval::Peer>> gather_followers(MpiSession& session,
                                                          const KernelSpec& spec);

// Tells every follower that the run is over. Followers are between batches whenever the
// evaluator is not inside a batch, so they exit cleanly.
void release_followers(MpiSession& session);

}  // namespace tuna::cluster
