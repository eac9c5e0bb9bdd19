#include "cli/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

namespace tuna::cli {
namespace {

std::atomic<bool>& interrupt_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

void on_sigint(int) {
  if (interrupt_flag().exchange(true)) _exit(130);
  const char msg[] = "\ntuna: stopping after the config in flight (Ctrl-C again to quit now)\n";
  (void)!write(2, msg, sizeof msg - 1);
}

}  // namespace

const std::atomic<bool>& install_interrupt_handler() {
  interrupt_flag().store(false);
  struct sigaction action{};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  return interrupt_flag();
}

bool interrupt_requested() { return interrupt_flag().load(); }

struct SigintHandlerRestorer::Saved {
  struct sigaction action{};
  bool valid = false;
};

SigintHandlerRestorer::SigintHandlerRestorer() : saved_(new Saved) {
  saved_->valid = sigaction(SIGINT, nullptr, &saved_->action) == 0;
}

SigintHandlerRestorer::~SigintHandlerRestorer() {
  if (saved_->valid) sigaction(SIGINT, &saved_->action, nullptr);
  delete saved_;
}

}  // namespace tuna::cli
