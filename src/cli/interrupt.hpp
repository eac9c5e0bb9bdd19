#pragma once
// Ctrl-C during a run: the first SIGINT asks the run to stop after the config in flight (all
// measured results are already stored); a second one ends tuna at once.
#include <atomic>

namespace tuna::cli {

// Installs the handler, clears the flag and returns it. The flag is the one piece of
// process-wide mutable state in tuna: a signal handler can reach nothing else.
const std::atomic<bool>& install_interrupt_handler();

// Whether Ctrl-C stopped the last run (the flag above).
bool interrupt_requested();

// For a host process that runs tuna's commands in-process (the Python module): while it lives,
// SIGINT is whatever the command installs; afterwards the handler it found is back, so the host
// keeps its own Ctrl-C behaviour between commands.
class SigintHandlerRestorer {
 public:
  SigintHandlerRestorer();
  ~SigintHandlerRestorer();
  SigintHandlerRestorer(const SigintHandlerRestorer&) = delete;
  SigintHandlerRestorer& operator=(const SigintHandlerRestorer&) = delete;

 private:
  struct Saved;
  Saved* saved_;
};

}  // namespace tuna::cli
