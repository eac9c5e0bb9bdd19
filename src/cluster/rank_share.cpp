#include "cluster/rank_share.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "base/usable_cores.hpp"

namespace tuna::cluster {
namespace {

// A positive count from the environment, or nullopt (unset or not a number: only a hint).
std::optional<unsigned> count_from(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return std::nullopt;
  std::string_view v(text);
  unsigned n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n == 0) return std::nullopt;
  return n;
}

}  // namespace

RankShare rank_share() {
  RankShare share;
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"}) {
    if (auto n = count_from(name)) {
      share.local_ranks = *n;
      break;
    }
  }
  share.usable = usable_cores();
  share.machine = machine_cores();
  return share;
}

int default_compile_jobs(const RankShare& share) {
  // Unbound ranks all see the whole machine: split it. A bound rank's mask is already its share.
  unsigned cores = share.usable >= share.machine ? share.usable / share.local_ranks : share.usable;
  return static_cast<int>(std::max(1u, cores));
}

std::optional<std::string> binding_warning(const RankShare& share, int rank,
                                           const std::string& host) {
  unsigned fair = std::max(1u, share.machine / share.local_ranks);
  if (share.usable * 2 > fair) return std::nullopt;
  return fmt::format(
      "tuna: warning: rank {} on {} may run on only {} of the host's {} cores (mpirun binds each "
      "rank to a core by default), so its compiles and correctness checks crawl. Start mpirun "
      "with --bind-to none (OpenMPI) or --cpu-bind=none (srun); tuna then gives each of the {} "
      "rank(s) on a host an equal share of its cores.",
      rank, host, share.usable, share.machine, share.local_ranks);
}

}  // namespace tuna::cluster
