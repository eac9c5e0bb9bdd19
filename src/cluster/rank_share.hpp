#pragma once
// The share of a host's cores one rank should use. Several ranks on one host (one per GPU, say)
// would each start a compile pool as large as the machine; and mpirun binds each rank to a
// single core by default, which starves a rank's compile pool and correctness checks. Both are
// worked out here from the affinity mask and the launcher's count of ranks on this host.
#include <optional>
#include <string>

namespace tuna::cluster {

struct RankShare {
  unsigned local_ranks = 1;  // ranks on this host (OMPI_COMM_WORLD_LOCAL_SIZE, SLURM_NTASKS_PER_NODE)
  unsigned usable = 1;       // cores this rank may run on (its affinity mask)
  unsigned machine = 1;      // cores of the host
};

RankShare rank_share();

// Compile jobs for a rank when the user gave none: its usable cores, divided among the ranks on
// its host when they all see the same cores (no binding), at least 1.
int default_compile_jobs(const RankShare& share);

// A warning when the rank was bound to far fewer cores than its share of the host, saying how
// to lift the binding; nullopt otherwise.
std::optional<std::string> binding_warning(const RankShare& share, int rank,
                                           const std::string& host);

}  // namespace tuna::cluster
