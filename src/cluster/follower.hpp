#pragma once
// A follower rank of cluster mode: measures what the leader sends on this host's devices until
// the leader says stop. Configs that crash, hang or compute wrong answers are handled here
// exactly as on a single host (the local Evaluator's bench workers and compile pool) and go back
// to the leader as Results.
#include <functional>

#include "cluster/mpi_session.hpp"
#include "tuna/evaluator.hpp"
#include "tuna/spec.hpp"

namespace tuna::cluster {

// Loads the spec and starts this rank's devices, joins the run (or tells the leader why it
// cannot: a spec this host cannot read, no device) and serves batches until `stop`. Returns the
// process's exit code, 0 either way: rank 0 reports a rank's failure and exits with the error.
int serve_leader(MpiSession& session, const std::function<KernelSpec()>& load_spec,
                 const std::function<EvaluatorOptions()>& evaluator_options);

}  // namespace tuna::cluster
