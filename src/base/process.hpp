#pragma once
// run_process: runs an external command to completion (or to its timeout) and captures what it
// printed. Used for the host compiler and by the evaluator for its child processes.
//
// The command runs in a process group of its own, so a timeout kills everything it started (a
// compiler driver's cc1plus and as, a shell's children), not only the direct child. When the
// command exits, whatever it left running in its group is killed as well: nothing outlives the
// call or keeps the output pipe open.
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace tuna {

struct RunProcessOptions {
  double timeout_s = 0;    // wall-clock limit; 0 or less means none
  std::string stdin_text;  // written to the command's standard input, which is then closed
  std::filesystem::path working_dir;  // empty: the caller's working directory
  // Added to (or replacing entries of) the caller's environment.
  std::vector<std::pair<std::string, std::string>> extra_env;
  // Output beyond this many bytes is read and dropped (the command never blocks on a full pipe);
  // the first bytes are kept because a compiler's first error is the one that matters.
  std::size_t max_output_bytes = std::size_t{16} << 20;
  // true: the command gets a process group of its own, killed whole on timeout and on exit.
  // false: it stays in the caller's group and only the command itself is killed on timeout. Use
  // false inside a process that is itself killed as a group (a compile child): a group of its
  // own would let the compiler outlive its parent's timeout.
  bool own_process_group = true;
};

struct ProcessResult {
  bool started = false;     // false when the command could not be started (see spawn_error)
  std::string spawn_error;  // e.g. "c++: No such file or directory"
  int exit_code = -1;       // the exit status when the command exited normally, else -1
  int signal = 0;           // the signal that ended it, 0 when it exited normally
  bool timed_out = false;   // killed (SIGKILL, whole group) because timeout_s passed
  std::string output;       // standard output and standard error, interleaved as written
  bool output_truncated = false;
  double elapsed_ms = 0;

  // Started, exited normally with status 0, within its time.
  bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // One line for people: "exit status 1", "killed by SIGSEGV", "timed out after 2 s", ...
  std::string describe() const;
};

// Runs argv[0] (looked up in PATH when it has no slash) with the given arguments.
// Never throws for the command's behaviour; throws InternalError only for an empty argv or when
// the operating system refuses pipes.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const RunProcessOptions& options = {});

// "SIGSEGV" for 11, "signal 77" for an unnamed one.
std::string signal_name(int signal_number);

// This process's environment with `extra` laid over it, as owned strings (for posix_spawn), and
// the null-terminated pointer array of such strings.
std::vector<std::string> make_environment(
    const std::vector<std::pair<std::string, std::string>>& extra);
std::vector<char*> as_c_array(std::vector<std::string>& strings);

}  // namespace tuna
