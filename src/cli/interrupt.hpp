#pragma once
// Ctrl-C during a run: the first SIGINT asks the run to stop after the config in flight (all
// measured results are already stored); a second one ends tuna at once.
#include <atomic>

namespace tuna::cli {

// Installs the handler and returns the flag it sets. The flag is the one piece of process-wide
// mutable state in tuna: a signal handler can reach nothing else.
const std::atomic<bool>& install_interrupt_handler();

}  // namespace tuna::cli
