// The compile children give way to the bench workers (`--compile-nice`, issue 17): a device
// waits whenever its worker waits for a core, so when every core compiles the compilers must
// yield. Observed through the host backend's compiler, a wrapper that records its niceness.
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

// Runs the rowsum example's default config with TUNA_CXX set to a script that appends its
// niceness to a file when it compiles (it has an -o; tuna also asks the compiler its version,
// from its own process), then runs the real c++. Returns the niceness of every compile.
std::vector<int> compile_niceness(const TunaSandbox& box, const std::vector<std::string>& flags) {
  const std::filesystem::path log = box.dir() / "nice.log";
  const std::filesystem::path wrapper = box.dir() / "cxx-wrapper.sh";
  {
    std::ofstream script(wrapper);
    script << "#!/bin/sh\ncase \" $* \" in *' -o '*) nice >> '" << log.string()
           << "' ;; esac\nexec c++ \"$@\"\n";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  std::filesystem::remove(log);
  std::vector<std::string> args = {"run", source_path("examples/host/rowsum/spec.toml")};
  args.insert(args.end(), flags.begin(), flags.end());
  RunProcessOptions options;
  options.timeout_s = 300;
  options.extra_env = box.env();
  options.extra_env.push_back({"TUNA_CXX", wrapper.string()});
  ProcessResult run = run_process(box.argv(args), options);
  EXPECT_TRUE(run.ok()) << run.output;
  std::vector<int> seen;
  std::ifstream in(log);
  for (int value; in >> value;) seen.push_back(value);
  return seen;
}

int own_niceness() {
  errno = 0;
  const int value = ::getpriority(PRIO_PROCESS, 0);
  EXPECT_EQ(errno, 0);
  return value;
}

}  // namespace

TEST(CompilePriority, CompilersRunTenNicerThanTunaByDefault) {
  TunaSandbox box("compile-nice-default");
  std::vector<int> seen = compile_niceness(box, {});
  ASSERT_FALSE(seen.empty()) << "the wrapper compiler never ran";
  for (int value : seen) EXPECT_EQ(value, std::min(19, own_niceness() + 10));
}

TEST(CompilePriority, TheFlagSetsTheIncrementAndZeroKeepsTunasOwn) {
  TunaSandbox box("compile-nice-flag");
  for (int increment : {3, 0}) {
    SCOPED_TRACE(increment);
    std::vector<int> seen = compile_niceness(box, {"--compile-nice", std::to_string(increment),
                                                   "--cache-dir",
                                                   (box.dir() / std::to_string(increment)).string()});
    ASSERT_FALSE(seen.empty()) << "the wrapper compiler never ran";
    for (int value : seen) EXPECT_EQ(value, std::min(19, own_niceness() + increment));
  }
}

TEST(CompilePriority, ANicenessOutsideZeroToNineteenIsAUserError) {
  TunaSandbox box("compile-nice-range");
  ProcessResult run =
      box.run({"run", source_path("examples/host/rowsum/spec.toml"), "--compile-nice", "25"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--compile-nice"), std::string::npos) << run.output;
}
