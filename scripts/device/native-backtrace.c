// Preloaded (LD_PRELOAD) into a process that crashes on the GPU machine, where there may be no
// debugger: prints the native stack of a SIGSEGV/SIGBUS/SIGABRT to stderr, then dies of the same
// signal. scripts/device/python-backtrace.sh builds it and turns the frames into source lines
// with addr2line. Python's faulthandler shows only Python frames, hence this.
#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

static void print_stack_and_die(int sig) {
  void* frames[128];
  int count = backtrace(frames, 128);
  static const char header[] = "=== native stack\n";
  ssize_t written = write(STDERR_FILENO, header, sizeof header - 1);
  (void)written;
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
  signal(sig, SIG_DFL);
  raise(sig);
}

__attribute__((constructor)) static void install_handler(void) {
  signal(SIGSEGV, print_stack_and_die);
  signal(SIGBUS, print_stack_and_die);
  signal(SIGABRT, print_stack_and_die);
}
