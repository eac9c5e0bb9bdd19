#include "cli/cli.hpp"

#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "eval/compile_pool.hpp"
#include "eval/worker_protocol.hpp"
#include "tuna/errors.hpp"

namespace tuna::cli {

void add_compare_command(CLI::App& app, int& exit_code);  // cmd_compare.cpp
void add_report_command(CLI::App& app, int& exit_code);   // cmd_report.cpp

namespace {

constexpr const char* kFooter = R"(Exit codes: 0 success; 1 the run finished but no config ran correctly;
2 a user error (bad spec, flag or file; the message says how to fix it);
70 an internal error (a bug in tuna); 130 interrupted.
Docs: docs/cli.md, docs/spec.md.)";

// The child processes tuna starts are the tuna binary itself with a hidden first argument.
std::optional<int> run_child_role(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "__bench-worker") == 0) return eval::bench_worker_main();
  if (argc >= 3 && std::strcmp(argv[1], "__compile") == 0) {
    return eval::compile_child_main(argv[2]);
  }
  return std::nullopt;
}

int dispatch(const std::vector<std::string>& args) {
  CLI::App app{"tuna: an autotuner for compute kernels (CUDA, OpenCL, C++)", "tuna"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", TUNA_VERSION);
  int exit_code = kExitOk;
  add_tune_command(app, exit_code);
  add_run_command(app, exit_code);
  add_show_command(app, exit_code);
  add_export_command(app, exit_code);
  add_devices_command(app, exit_code);
  add_compare_command(app, exit_code);
  add_import_command(app, exit_code);
  add_report_command(app, exit_code);
  // CLI11 takes the arguments last to first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  return exit_code;
}

}  // namespace

int run(const std::vector<std::string>& args) { return dispatch(args); }

int main(int argc, char** argv) {
  try {
    if (auto code = run_child_role(argc, argv)) return *code;
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "tuna: error: {}\nRun with --help for more information.\n", e.what());
    return kExitUserError;
  } catch (const UserError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "tuna: error: {}\n", e.what());
    return kExitUserError;
  } catch (const InternalError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "tuna: {}\nThis is a bug in tuna; please report it with the command "
                       "you ran.\n", e.what());
    return kExitInternalError;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "tuna: internal error: {}\nThis is a bug in tuna; please report it with "
                       "the command you ran.\n", e.what());
    return kExitInternalError;
  }
}

}  // namespace tuna::cli
