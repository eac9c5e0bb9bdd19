#pragma once
// The command-line interface: parses argv and dispatches to a subcommand.
namespace tuna::cli {
// Exit codes: 0 success, 1 the run finished but found no correct config, 2 user error,
// 70 internal error (a bug in tuna), 130 interrupted.
int main(int argc, char** argv);
}  // namespace tuna::cli
