#pragma once
// Runs the tuna binary with stdout and stderr apart (TunaSandbox::run interleaves them), for
// tests of what each stream holds: JSON alone on stdout, progress on stderr.
#include <fstream>
#include <sstream>

#include "cli_runner.hpp"

namespace tuna::testing {

struct SplitOutput {
  ProcessResult process;  // process.output is stdout only
  std::string err;
};

inline SplitOutput run_split(const TunaSandbox& box, const std::vector<std::string>& args,
                             double timeout_s = 300) {
  std::filesystem::path err_file = box.dir() / "stderr.txt";
  std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$@\" 2>\"$ERR_FILE\"", "sh"};
  for (const std::string& a : box.argv(args)) argv.push_back(a);
  RunProcessOptions options;
  options.timeout_s = timeout_s;
  options.extra_env = box.env();
  options.extra_env.emplace_back("ERR_FILE", err_file.string());
  SplitOutput out;
  out.process = run_process(argv, options);
  std::ifstream in(err_file);
  std::stringstream text;
  text << in.rdbuf();
  out.err = text.str();
  return out;
}

}  // namespace tuna::testing
