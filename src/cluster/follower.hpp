#pragma once
// A follower rank of cluster mode: measures what the leader sends on this host's devices until
// the leader says stop. Configs that crash, hang or compute wrong answers are handled here
// exactly as on a single host (the local Evaluator's bench workers and compile pool) and go back
// to the leader as Results.
#include "cluster/mpi_session.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"

namespace tuna::cluster {

// Joins the run (or tells the leader why it cannot) and serves batches until `stop`. Returns
// the process's exit code: 0 after a normal stop, 2 when this rank could not start.
int serve_leader(MpiSession& session, const KernelSpec& spec, const EvaluatorOptions& options);

}  // namespace tuna::cluster
