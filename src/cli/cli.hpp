#pragma once
#include <string>
#include <vector>

#include "tuna/errors.hpp"

// The command-line interface: parses argv and dispatches to a subcommand.
namespace tuna::cli {
// Exit codes: 0 success, 1 the run finished but found no correct config, 2 user error,
// 70 internal error (a bug in tuna), 130 interrupted.
int main(int argc, char** argv);

// A command line that does not parse (unknown flag, bad value): a UserError whose message is
// CLI11's; the command line adds "Run with --help for more information."
class UsageError : public UserError {
 public:
  using UserError::UserError;
};

// One command, as `tuna ARGS...` would run it (args[0] is the subcommand), in this process.
// Returns the exit code of a command that ran (0, 1 when no config ran correctly, 130 when
// interrupted); throws UserError for a user error (a bad flag included: its message is the
// one the command line prints) and InternalError, or another exception, for a bug. --help and
// --version print to stdout and return 0. For embedding (the Python module); main() is this
// plus the messages and exit codes of the command line.
int run(const std::vector<std::string>& args);
}  // namespace tuna::cli
