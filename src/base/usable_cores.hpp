#pragma once
// How many CPU cores this process may run on: its affinity mask (taskset, a container's cpuset,
// or mpirun binding each rank to a core), not the machine's count, which
// std::thread::hardware_concurrency reports. The defaults for parallel work (compile jobs,
// correctness-check threads) size themselves by it.

namespace tuna {

// At least 1.
unsigned usable_cores();
// The machine's cores as the OS reports them (at least 1), for messages comparing the two.
unsigned machine_cores();

}  // namespace tuna
